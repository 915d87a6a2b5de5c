namespace stator::cli {}
