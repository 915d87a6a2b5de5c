// placeholder until the executor lands
namespace stator::engine {}
