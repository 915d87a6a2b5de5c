// The stator subcommands. Each takes parsed options, writes its results to out and its
// complaints to err, and returns the process exit code (exit_codes.h).
//
// Thread-safety: each call is independent; they share no state.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "asl/diagnostic.h"
#include "cli/options.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::cli {

// stator run: compile the definition, run one execution to its end, print the result.
int RunCommand(const RunOptions& options, std::ostream& out, std::ostream& err);

// stator serve: run the API server until SIGINT/SIGTERM (server::Serve).
int ServeCommand(const ServeOptions& options, std::ostream& out, std::ostream& err);

// stator function ...: manage and invoke functions on a running server (args after "function").
int FunctionCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// stator deploy TEMPLATE: deploy a SAM / CloudFormation template into a running server
// (deploy_command.cc, docs/deploy.md).
int DeployCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// stator delete-stack NAME: delete what a deployed stack created.
int DeleteStackCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// stator export / import: bare function names <-> Lambda ARNs in a definition.
int ExportImportCommand(const std::vector<std::string>& args, bool importing, std::ostream& out,
                        std::ostream& err);

// stator knix export|import: a KNIX workflow of a running server to an AWS Step Functions
// definition and Lambda zips, and back (knix_command.cc).
int KnixCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// stator jsonata EXPR | --batch: evaluate JSONata expressions (jsonata_command.cc).
int JsonataCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// stator validate: print the definition's diagnostics.
int ValidateCommand(const ValidateOptions& options, std::ostream& out, std::ostream& err);

// A diagnostic as ValidateStateMachineDefinition lists it: severity, code, message, and location
// when there is one.
json::Value DiagnosticJson(const asl::Diagnostic& d);

// The whole content of a file, or of standard input for "-". The cause is one line that names
// the file.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace stator::cli
