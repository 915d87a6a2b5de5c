namespace stator::services {}
