// Suggestions for misspelled names, as graphql-js and graphql-core make them: SuggestionList
// (names within a Damerau-Levenshtein distance of 40% of the input's length, closest first, ties
// in natural sort order) and DidYouMean (" Did you mean \"A\" or \"B\"?"). Used by schema
// building, value coercion and validation alike.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stator::graphql {

std::vector<std::string> SuggestionList(std::string_view input,
                                        const std::vector<std::string>& options);
// "" when suggestions is empty; otherwise " Did you mean ...?" (at most 5, each quoted; with
// `sub`, e.g. "the enum value", inserted after "Did you mean " with a space after it).
std::string DidYouMean(const std::vector<std::string>& suggestions, std::string_view sub = "");

// graphql-core's natural ordering of names (digit runs compared as numbers): a < b.
bool NaturalLess(std::string_view a, std::string_view b);

}  // namespace stator::graphql
