#include "functions/zip_package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

Error Invalid(std::string cause) { return Error{"InvalidZip", std::move(cause)}; }

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

// A relative path with no "..", "." or empty components (a trailing '/' marks a directory).
bool SafeRelativePath(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.find('\\') != std::string_view::npos) return false;
  size_t start = 0;
  while (start < p.size()) {
    size_t slash = p.find('/', start);
    std::string_view part = p.substr(start, slash == std::string_view::npos ? p.npos
                                                                              : slash - start);
    if (part == ".." || (part.empty() && slash != std::string_view::npos) ||
        part == ".") {
      return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Error{"IO", std::string("write failed: ") + strerror(errno)};
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Result<std::string> ReadSource(zip_source_t* src) {
  zip_stat_t st;
  if (zip_source_stat(src, &st) < 0) return Invalid("cannot size the new zip");
  if (zip_source_open(src) < 0) return Invalid("cannot read the new zip");
  std::string out(st.size, '\0');
  zip_int64_t got = zip_source_read(src, out.data(), st.size);
  zip_source_close(src);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) return Invalid("short zip read");
  return out;
}

// Adds one file's content with its mode; the buffer must outlive zip_close (libzip copies
// nothing until then), so callers keep `content` alive.
Status AddFile(zip_t* z, const std::string& name, const std::string& content, uint32_t mode) {
  zip_source_t* s = zip_source_buffer(z, content.data(), content.size(), 0);
  if (!s) return Invalid("cannot add " + name);
  zip_int64_t idx = zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
  if (idx < 0) {
    zip_source_free(s);
    return Invalid("cannot add " + name + ": " + zip_strerror(z));
  }
  zip_file_set_external_attributes(z, static_cast<zip_uint64_t>(idx), 0, ZIP_OPSYS_UNIX,
                                   (static_cast<zip_uint32_t>(S_IFREG | (mode & 07777))) << 16);
  return Status::Ok();
}

Result<std::string> Finish(zip_t* z, zip_source_t* src) {
  if (zip_close(z) < 0) {
    std::string why = zip_strerror(z);
    zip_discard(z);
    zip_source_free(src);
    return Invalid("cannot write the zip: " + why);
  }
  Result<std::string> out = ReadSource(src);
  zip_source_free(src);
  return out;
}

Result<std::pair<zip_t*, zip_source_t*>> NewZip() {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (!src) return Invalid("cannot create a zip buffer");
  zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
  if (!z) {
    zip_source_free(src);
    return Invalid("cannot create a zip");
  }
  zip_source_keep(src);
  return std::make_pair(z, src);
}

}  // namespace

Result<UnzipStats> ExtractZip(std::string_view zip, const std::string& dir, uint64_t max_bytes) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(zip.data(), zip.size(), 0, &err);
  if (!src) return Invalid("Could not unzip uploaded file. Please check your file.");
  std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!z) {
    zip_source_free(src);
    zip_error_fini(&err);
    return Invalid("Could not unzip uploaded file. Please check your file, then try to upload "
                   "again.");
  }
  UnzipStats stats;
  zip_int64_t n = zip_get_num_entries(z.get(), 0);
  std::vector<char> buf(1 << 16);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z.get(), i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME)) {
      return Invalid("Could not unzip uploaded file: unreadable entry");
    }
    std::string name = st.name;
    if (!SafeRelativePath(name)) {
      return Invalid("Could not unzip uploaded file: the entry '" + name +
                     "' points outside the package");
    }
    zip_uint8_t opsys = 0;
    zip_uint32_t attr = 0;
    zip_file_get_external_attributes(z.get(), i, 0, &opsys, &attr);
    mode_t mode = opsys == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attr >> 16) : 0;
    fs::path target = fs::path(dir) / name;
    std::error_code ec;
    if (name.back() == '/' || S_ISDIR(mode)) {
      fs::create_directories(target, ec);
      if (ec) return Invalid("cannot create " + name + ": " + ec.message());
      continue;
    }
    if (S_ISLNK(mode)) continue;  // symbolic links are not unpacked (docs/functions.md)
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Invalid("cannot create the folder of " + name + ": " + ec.message());
    stats.bytes += st.size;
    if (stats.bytes > max_bytes) {
      return Invalid("Unzipped size must be smaller than " + std::to_string(max_bytes) +
                     " bytes");
    }
    zip_file_t* zf = zip_fopen_index(z.get(), i, 0);
    if (!zf) return Invalid("Could not unzip uploaded file: cannot read " + name);
    mode_t perm = (mode & 07777) ? (mode & 0777) : 0644;
    perm |= 0600;  // the owner can always read it
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, perm);
    if (fd < 0) {
      zip_fclose(zf);
      return Invalid("cannot create " + name + ": " + strerror(errno));
    }
    Status s;
    uint64_t written = 0;
    for (;;) {
      zip_int64_t got = zip_fread(zf, buf.data(), buf.size());
      if (got < 0) {
        s = Invalid("Could not unzip uploaded file: corrupt entry " + name);
        break;
      }
      if (got == 0) break;
      written += static_cast<uint64_t>(got);
      if (written > st.size) {
        s = Invalid("Could not unzip uploaded file: entry " + name + " is larger than recorded");
        break;
      }
      s = WriteAll(fd, buf.data(), static_cast<size_t>(got));
      if (!s.ok()) break;
    }
    zip_fclose(zf);
    fchmod(fd, perm);  // not reduced by the umask
    close(fd);
    if (!s.ok()) return std::move(s).error();
    ++stats.files;
  }
  return stats;
}

Result<std::string> ZipDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Invalid("'" + dir + "' is not a directory");
  std::vector<std::pair<std::string, fs::path>> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) {
      files.emplace_back(fs::relative(it->path(), dir).generic_string(), it->path());
    }
  }
  if (ec) return Invalid("cannot list '" + dir + "': " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<ZipEntry> entries;
  entries.reserve(files.size());
  for (const auto& [rel, path] : files) {
    ZipEntry e;
    e.path = rel;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Invalid("cannot read '" + path.string() + "': " + strerror(errno));
    struct stat st;
    fstat(fd, &st);
    e.mode = st.st_mode & 07777;
    char b[65536];
    for (;;) {
      ssize_t got = read(fd, b, sizeof b);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      e.content.append(b, static_cast<size_t>(got));
    }
    close(fd);
    entries.push_back(std::move(e));
  }
  return ZipEntries(entries);
}

Result<std::string> ZipEntries(const std::vector<ZipEntry>& entries) {
  STATOR_TRY(auto zs, NewZip());
  auto [z, src] = zs;
  for (const ZipEntry& e : entries) {
    Status s = AddFile(z, e.path, e.content, e.mode);
    if (!s.ok()) {
      zip_discard(z);
      zip_source_free(src);
      return std::move(s).error();
    }
  }
  return Finish(z, src);
}

}  // namespace stator::functions
