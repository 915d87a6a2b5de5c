// Zip deployment packages: unpacking a function's zip into its code directory, and packing a
// local directory into a zip (the CLI's `function create --code DIR`).
//
// Unpacking keeps the Unix permission bits a zip records in its external attributes (so ELF
// helpers and scripts keep their run bit), refuses entries that would land outside the target
// directory (absolute paths, "..") and symbolic links, and caps the unpacked size at Lambda's
// 250 MB. Packing records each file's mode the same way. The ZIP format itself (stored and
// deflate entries, data descriptors, ZIP64) is our own code over zlib: see zip_package.cc.
//
// Thread-safety: pure functions over their arguments (the file system aside).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace stator::functions {

inline constexpr uint64_t kMaxUnzippedBytes = 250ull * 1024 * 1024;

struct UnzipStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Unpacks zip (the archive bytes) into dir, which must exist and be empty. Errors (error
// "InvalidZip") have a cause fit for an InvalidParameterValueException message.
Result<UnzipStats> ExtractZip(std::string_view zip, const std::string& dir,
                              uint64_t max_bytes = kMaxUnzippedBytes);

// Packs the regular files and empty directories under dir (recursively; paths relative to dir)
// into a zip archive and returns its bytes. The same files give the same bytes (no timestamps).
Result<std::string> ZipDirectory(const std::string& dir);

// Creates a zip from in-memory files (tests): {path, content, unix mode}; a path ending in '/'
// is a directory (no content). A later entry with the same path replaces an earlier one.
struct ZipEntry {
  std::string path;
  std::string content;
  uint32_t mode = 0644;
};
Result<std::string> ZipEntries(const std::vector<ZipEntry>& entries);

}  // namespace stator::functions
