// ProjectionExpression: path (',' path)*, no two paths overlapping.
#include "dynamodb/expression_internal.h"

namespace stator::dynamodb {

namespace {

using expression_internal::ExpressionParser;

class ProjectionParser : public ExpressionParser {
 public:
  using ExpressionParser::ExpressionParser;

  Result<std::vector<Path>> ParseProjectionList() {
    std::vector<Path> paths;
    if (AtEnd()) return EmptyError();
    STATOR_RETURN_IF_ERROR(ParseCommaSeparated([&]() -> Status {
      STATOR_TRY(Path p, ParsePath());
      paths.push_back(std::move(p));
      return Status::Ok();
    }));
    STATOR_RETURN_IF_ERROR(Finish());
    std::vector<const Path*> all;
    for (const Path& p : paths) all.push_back(&p);
    STATOR_RETURN_IF_ERROR(CheckNoOverlap(all));
    return paths;
  }
};

}  // namespace

Result<std::vector<Path>> ParseProjection(std::string_view text, ExpressionContext* ctx) {
  ProjectionParser p(text, ExprKind::kProjection, ctx);
  STATOR_RETURN_IF_ERROR(p.Tokenize());
  return p.ParseProjectionList();
}

}  // namespace stator::dynamodb
