// Suggestions for misspelled names, as graphql-js makes them: SuggestionList (names within a
// lexical distance, closest first) and DidYouMean (" Did you mean \"A\" or \"B\"?").
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
// `prefix` e.g. "the enum value " inserted after "Did you mean ").
std::string DidYouMean(const std::vector<std::string>& suggestions, std::string_view prefix = "");

}  // namespace stator::graphql
