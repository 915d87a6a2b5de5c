// The request validation IAM and STS perform before an action runs, with their messages:
//
//   ValidationError "2 validation errors detected: Value 'a b' at 'roleName' failed to satisfy
//   constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value null at
//   'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null"
//
// Members are named as AWS names them in these messages (lower camel case, list elements
// 'tags.1.member.key'). A string is checked for its length (in UTF-16 code units, as Java counts)
// and then for its character set (the pattern of botocore's iam model, printed as the model
// spells it). The tag-key and tag-value classes \p{L}\p{Z}\p{N} are approximated: any non-ASCII
// character from U+00A0 up counts as one of them.
//
// Thread-safety: one Validation per request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"

namespace stator::iam {

// The character sets of IAM's string types (botocore's iam model patterns).
enum class Charset {
  kAny,
  kName,            // [\w+=,.@-]+  (roleNameType, userNameType, existingUserNameType)
  kPath,            // (\u002F)|(\u002F[\u0021-\u007E]+\u002F)  (pathType)
  kPathPrefix,      // \u002F[\u0021-\u007F]*  (pathPrefixType)
  kPolicyPath,      // ((/[A-Za-z0-9\.,\+@=_-]+)*)/  (policyPathType)
  kPolicyDocument,  // [\u0009\u000A\u000D\u0020-\u00FF]+  (policyDocumentType)
  kDescription,     // [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*  (roleDescriptionType)
  kMarker,          // [\u0020-\u00FF]+  (markerType)
  kTagKey,          // [\p{L}\p{Z}\p{N}_.:/=+\-@]+  (tagKeyType)
  kTagValue,        // [\p{L}\p{Z}\p{N}_.:/=+\-@]*  (tagValueType)
};

struct StringType {
  int64_t min_length;
  int64_t max_length;
  Charset charset;
};

inline constexpr StringType kRoleNameType{1, 64, Charset::kName};
inline constexpr StringType kExistingUserNameType{1, 128, Charset::kName};
inline constexpr StringType kPathType{1, 512, Charset::kPath};
inline constexpr StringType kPathPrefixType{1, 512, Charset::kPathPrefix};
inline constexpr StringType kPolicyPathType{1, 512, Charset::kPolicyPath};
inline constexpr StringType kPolicyDocumentType{1, 131072, Charset::kPolicyDocument};
inline constexpr StringType kRoleDescriptionType{0, 1000, Charset::kDescription};
inline constexpr StringType kMarkerType{1, 320, Charset::kMarker};
inline constexpr StringType kArnType{20, 2048, Charset::kAny};
inline constexpr StringType kTagKeyType{1, 128, Charset::kTagKey};
inline constexpr StringType kTagValueType{0, 256, Charset::kTagValue};

// Whether every character of `value` is in `charset` (and the whole matches its pattern).
bool MatchesCharset(std::string_view value, Charset charset);

class Validation {
 public:
  // A string member: its length, then its characters. With show_value false the message leaves
  // the value out ("Value at 'tags.1.member.key' ..."), as IAM does for tags.
  void String(std::string_view member, std::string_view value, const StringType& type,
              bool show_value = true);
  // A required member that is absent.
  void Missing(std::string_view member);
  // An integer member given as text: its value in [min, max]; nullopt when it is no integer
  // (a violation is recorded) or out of range.
  std::optional<int64_t> Integer(std::string_view member, std::string_view text, int64_t min,
                                 int64_t max);
  // Any other violation, as the text after "Value ... at 'member' failed to satisfy
  // constraint: " would read; `value` null leaves the value out.
  void Fail(std::string_view member, const std::string* value, std::string_view constraint);

  bool ok() const { return problems_.empty(); }
  // ValidationError with every violation, or nullopt.
  std::optional<ApiError> Error() const;

 private:
  std::vector<std::string> problems_;
};

}  // namespace stator::iam
