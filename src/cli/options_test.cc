// Tests for the argument parsing of stator run / validate and the top-level dispatch.
#include "cli/options.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/cli.h"
#include "cli/exit_codes.h"

namespace stator::cli {
namespace {

TEST(RunOptions, Defaults) {
  auto o = ParseRunOptions({"-f", "def.json"});
  ASSERT_TRUE(o.ok()) << o.error().cause;
  EXPECT_EQ(o->definition_file, "def.json");
  EXPECT_FALSE(o->input_json);
  EXPECT_FALSE(o->json);
  EXPECT_FALSE(o->history);
  EXPECT_EQ(o->time_scale, 1.0);
  EXPECT_EQ(o->account, "123456789012");
  EXPECT_EQ(o->region, "us-east-1");
  EXPECT_FALSE(o->state_machine_name);
}

TEST(RunOptions, AllOptionsBothSpellings) {
  auto o = ParseRunOptions({"--file=d.json",
                            "--input",
                            "{\"a\":1}",
                            "--json",
                            "--history",
                            "--name=exec-1",
                            "--state-machine-name",
                            "Machine",
                            "--account",
                            "111122223333",
                            "--region=eu-west-1",
                            "--time-scale",
                            "0",
                            "--mock-config",
                            "m.json",
                            "--test-case=Happy",
                            "--task-command",
                            "A=./a.sh --flag",
                            "--task-command=B=python3 b.py",
                            "--role-arn",
                            "arn:aws:iam::111122223333:role/R"});
  ASSERT_TRUE(o.ok()) << o.error().cause;
  EXPECT_EQ(o->definition_file, "d.json");
  EXPECT_EQ(*o->input_json, "{\"a\":1}");
  EXPECT_TRUE(o->json);
  EXPECT_TRUE(o->history);
  EXPECT_EQ(o->execution_name, "exec-1");
  EXPECT_EQ(*o->state_machine_name, "Machine");
  EXPECT_EQ(o->account, "111122223333");
  EXPECT_EQ(o->region, "eu-west-1");
  EXPECT_EQ(o->time_scale, 0.0);
  EXPECT_EQ(*o->mock_config, "m.json");
  EXPECT_EQ(*o->test_case, "Happy");
  ASSERT_EQ(o->task_commands.size(), 2u);
  EXPECT_EQ(o->task_commands[0], std::make_pair(std::string("A"), std::string("./a.sh --flag")));
  EXPECT_EQ(o->task_commands[1], std::make_pair(std::string("B"), std::string("python3 b.py")));
  EXPECT_EQ(o->role_arn, "arn:aws:iam::111122223333:role/R");
}

struct BadArgs {
  std::vector<std::string> args;
  const char* expect;
};
void PrintTo(const BadArgs& b, std::ostream* os) { *os << '"' << b.expect << '"'; }

class RunOptionErrors : public ::testing::TestWithParam<BadArgs> {};

TEST_P(RunOptionErrors, Rejected) {
  auto o = ParseRunOptions(GetParam().args);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().error, "Usage");
  EXPECT_NE(o.error().cause.find(GetParam().expect), std::string::npos) << o.error().cause;
  EXPECT_EQ(o.error().cause.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    All, RunOptionErrors,
    ::testing::Values(
        BadArgs{{}, "missing -f FILE"}, BadArgs{{"-f"}, "option -f needs a value"},
        BadArgs{{"-f", "d", "--bogus"}, "unknown option --bogus"},
        BadArgs{{"-f", "d", "stray"}, "unexpected argument 'stray'"},
        BadArgs{{"-f", "d", "--input", "{}", "--input-file", "i"}, "exclusive"},
        BadArgs{{"-f", "-", "--input-file", "-"}, "standard input"},
        BadArgs{{"-f", "d", "--time-scale", "-1"}, "invalid --time-scale"},
        BadArgs{{"-f", "d", "--time-scale", "fast"}, "invalid --time-scale"},
        BadArgs{{"-f", "d", "--account", "123"}, "12 digits"},
        BadArgs{{"-f", "d", "--region", "US East"}, "invalid region"},
        BadArgs{{"-f", "d", "--name", "has space"}, "invalid execution name"},
        BadArgs{{"-f", "d", "--name", std::string(81, 'x')}, "invalid execution name"},
        BadArgs{{"-f", "d", "--state-machine-name", "a/b"}, "invalid state machine name"},
        BadArgs{{"-f", "d", "--mock-config", "m.json"}, "needs --test-case"},
        BadArgs{{"-f", "d", "--test-case", "T"}, "needs --mock-config"},
        BadArgs{{"-f", "d", "--task-command", "NoEquals"}, "expected STATE=COMMAND"},
        BadArgs{{"-f", "d", "--task-command", "A="}, "expected STATE=COMMAND"},
        BadArgs{{"-f", "d", "--task-command", "A=x", "--task-command", "A=y"}, "two"},
        BadArgs{{"-f", "d", "--json=yes"}, "takes no value"},
        BadArgs{{"-f", "d", "--role-arn", "role"}, "invalid role ARN"}));

TEST(ValidateOptions, Parse) {
  auto o = ParseValidateOptions({"--json", "-f", "x.json"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->json);
  EXPECT_EQ(o->definition_file, "x.json");
  EXPECT_FALSE(ParseValidateOptions({"--json"}).ok());
  EXPECT_FALSE(ParseValidateOptions({"-f", "x", "--history"}).ok());
}

TEST(ResourceNames, AwsRules) {
  EXPECT_TRUE(IsValidResourceName("exec-1_A.b"));
  EXPECT_TRUE(IsValidResourceName(std::string(80, 'a')));
  EXPECT_TRUE(IsValidResourceName("ünïcode"));
  EXPECT_FALSE(IsValidResourceName(""));
  EXPECT_FALSE(IsValidResourceName(std::string(81, 'a')));
  for (const char* bad :
       {"a b", "a\tb", "a<b", "a{b", "a[b", "a?b", "a*b", "a\"b", "a#b", "a%b",   "a\\b",     "a^b",
        "a|b", "a~b",  "a`b", "a$b", "a&b", "a,b", "a;b", "a:b",  "a/b", "a\x7f", "a\xc2\x85"}) {
    EXPECT_FALSE(IsValidResourceName(bad)) << bad;
  }
}

int RunMain(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  int code = Main(args, o, e);
  *out = o.str();
  *err = e.str();
  return code;
}

TEST(Main, HelpVersionAndUsageErrors) {
  std::string out, err;
  EXPECT_EQ(RunMain({"--help"}, &out, &err), kExitSucceeded);
  EXPECT_NE(out.find("stator run"), std::string::npos);
  EXPECT_EQ(RunMain({"run", "--help"}, &out, &err), kExitSucceeded);
  EXPECT_NE(out.find("--task-command"), std::string::npos);
  EXPECT_EQ(RunMain({"validate", "-h"}, &out, &err), kExitSucceeded);
  EXPECT_NE(out.find("--json"), std::string::npos);
  EXPECT_EQ(RunMain({"version"}, &out, &err), kExitSucceeded);
  EXPECT_EQ(out, std::string("stator ") + kVersion + "\n");
  EXPECT_EQ(RunMain({}, &out, &err), kExitUsage);
  EXPECT_NE(err.find("usage"), std::string::npos);
  EXPECT_EQ(RunMain({"frobnicate"}, &out, &err), kExitUsage);
  EXPECT_EQ(err, "stator: unknown command 'frobnicate' (try 'stator --help')\n");
  EXPECT_EQ(RunMain({"run", "--input", "{}"}, &out, &err), kExitUsage);
  EXPECT_EQ(err, "stator: missing -f FILE (the state machine definition)\n");
}

TEST(Main, MissingDefinitionFile) {
  std::string out, err;
  EXPECT_EQ(RunMain({"run", "-f", "/nonexistent/def.json"}, &out, &err), kExitUsage);
  EXPECT_EQ(err, "stator: cannot read '/nonexistent/def.json': No such file or directory\n");
  EXPECT_EQ(RunMain({"validate", "-f", "/"}, &out, &err), kExitUsage);
  EXPECT_EQ(err, "stator: cannot read '/': it is a directory\n");
}

}  // namespace
}  // namespace stator::cli
