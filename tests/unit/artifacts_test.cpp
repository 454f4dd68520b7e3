#define CAF_SUITE artifacts

#include "store/artifact_folder.hpp"

#include <caf/test/unit_test.hpp>

#include <fstream>
#include <set>

#include <stdlib.h>

#include "util/artifact_name.hpp"

using namespace agenttheo;
namespace fs = std::filesystem;

namespace {

struct scratch {
  fs::path dir;
  scratch() {
    char name[] = "/tmp/agenttheo-artifacts-XXXXXX";
    dir = mkdtemp(name);
  }
  ~scratch() {
    fs::remove_all(dir);
  }
};

void write(const fs::path& file, const std::string& bytes) {
  std::ofstream out{file, std::ios::binary};
  out << bytes;
}

std::string read(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

} // namespace

CAF_TEST(names from outside become one safe file name) {
  CAF_CHECK_EQUAL(sanitize_artifact_name("report.csv"), "report.csv");
  CAF_CHECK_EQUAL(sanitize_artifact_name("../../etc/passwd"), "passwd");
  CAF_CHECK_EQUAL(sanitize_artifact_name("C:\\Users\\me\\cv.pdf"), "cv.pdf");
  CAF_CHECK_EQUAL(sanitize_artifact_name(".."), "file");
  CAF_CHECK_EQUAL(sanitize_artifact_name(".bashrc"), "bashrc");
  CAF_CHECK_EQUAL(sanitize_artifact_name("a\nb\x01" "c.txt"), "a_b_c.txt");
  CAF_CHECK_EQUAL(sanitize_artifact_name("what?<x>|\"y\"*.txt"), "what__x___y__.txt");
  CAF_CHECK_EQUAL(sanitize_artifact_name("", "download"), "download");
  CAF_CHECK_EQUAL(sanitize_artifact_name(" name. "), "name");
  // Invalid UTF-8 is repaired, valid kept.
  CAF_CHECK(is_artifact_name(sanitize_artifact_name("caf\xC3.txt")));
  CAF_CHECK_EQUAL(sanitize_artifact_name("résumé.pdf"), "résumé.pdf");
  // A long name is cut, its extension kept, never inside a character.
  auto long_name = sanitize_artifact_name(std::string(200, 'x') + "é.pdf");
  CAF_CHECK_LESS_OR_EQUAL(long_name.size(), max_artifact_name);
  CAF_CHECK(long_name.size() > 4 && long_name.substr(long_name.size() - 4) == ".pdf");
  auto wide = sanitize_artifact_name(std::string(119, 'x') + "é");
  CAF_CHECK(is_artifact_name(wide));
}

CAF_TEST(only a name that is its own sanitised form names an artifact) {
  for (auto good : {"report.csv", "a b (2).txt", "résumé.pdf", "x"})
    CAF_CHECK(is_artifact_name(good));
  for (auto bad : {"", ".", "..", "../x", "a/b", "a\\b", ".partial", "x\n",
                   " x", "x."})
    CAF_CHECK(!is_artifact_name(bad));
  CAF_CHECK(!is_artifact_name(std::string{"x\0y", 3}));
  CAF_CHECK(!is_artifact_name(std::string(121, 'x')));
}

CAF_TEST(a taken name gets a number before its extension) {
  std::set<std::string> taken{"a.csv", "a (2).csv"};
  auto is_taken = [&](const std::string& n) { return taken.count(n) > 0; };
  CAF_CHECK_EQUAL(unique_artifact_name("b.csv", is_taken), "b.csv");
  CAF_CHECK_EQUAL(unique_artifact_name("a.csv", is_taken), "a (3).csv");
  taken.insert("noext");
  CAF_CHECK_EQUAL(unique_artifact_name("noext", is_taken), "noext (2)");
  auto at_limit = std::string(max_artifact_name - 4, 'y') + ".csv";
  taken.insert(at_limit);
  auto next = unique_artifact_name(at_limit, is_taken);
  CAF_CHECK_LESS_OR_EQUAL(next.size(), max_artifact_name);
  CAF_CHECK(next.find(" (2).csv") != std::string::npos);
}

CAF_TEST(media types follow the extension) {
  CAF_CHECK_EQUAL(artifact_mime("r.CSV"), "text/csv");
  CAF_CHECK_EQUAL(artifact_mime("p.pdf"), "application/pdf");
  CAF_CHECK_EQUAL(artifact_mime("noext"), "application/octet-stream");
  CAF_CHECK_EQUAL(artifact_mime("x.unknown"), "application/octet-stream");
}

CAF_TEST(a session folder never leaves the root) {
  CAF_CHECK(!artifact_folder::of("/tmp/root", ".."));
  CAF_CHECK(!artifact_folder::of("/tmp/root", "."));
  CAF_CHECK(!artifact_folder::of("/tmp/root", ""));
  CAF_CHECK(!artifact_folder::of("/tmp/root", "a/b"));
  auto folder = artifact_folder::of("/tmp/root", "s-1");
  CAF_REQUIRE(folder);
  CAF_CHECK_EQUAL(folder->path(), fs::path{"/tmp/root/s-1"});
  auto relative = artifact_folder::of("data/artifacts", "...");
  CAF_REQUIRE(relative);
  CAF_CHECK(relative->path().is_absolute());
  CAF_CHECK_EQUAL(relative->path().filename(), "...");
}

CAF_TEST(files arrive whole under free names within the bound) {
  scratch root;
  auto folder = artifact_folder::of(root.dir.string(), "s-1");
  CAF_REQUIRE(folder);
  CAF_CHECK(folder->list().empty());
  auto first = folder->add("../notes.txt", "hello", 100);
  CAF_REQUIRE(std::holds_alternative<artifact_info>(first));
  CAF_CHECK_EQUAL(std::get<artifact_info>(first).name, "notes.txt");
  auto second = folder->add("notes.txt", "again", 100);
  CAF_REQUIRE(std::holds_alternative<artifact_info>(second));
  CAF_CHECK_EQUAL(std::get<artifact_info>(second).name, "notes (2).txt");
  CAF_CHECK_EQUAL(read(folder->path() / "notes.txt"), "hello");
  CAF_CHECK_EQUAL(folder->total_bytes(), 10u);
  auto full = folder->add("big.bin", std::string(91, 'x'), 100);
  CAF_REQUIRE(std::holds_alternative<std::string>(full));
  CAF_CHECK(std::get<std::string>(full).find("MAX_ARTIFACT_BYTES") != std::string::npos);
  // A finished download is adopted; one past the bound is deleted.
  fs::create_directories(folder->work_path());
  write(folder->work_path() / "guid-1", "12345");
  auto adopted = folder->adopt(folder->work_path() / "guid-1", "r.csv", 100);
  CAF_REQUIRE(std::holds_alternative<artifact_info>(adopted));
  CAF_CHECK(!fs::exists(folder->work_path() / "guid-1"));
  write(folder->work_path() / "guid-2", std::string(90, 'x'));
  auto refused = folder->adopt(folder->work_path() / "guid-2", "huge.bin", 100);
  CAF_CHECK(std::holds_alternative<std::string>(refused));
  CAF_CHECK(!fs::exists(folder->work_path() / "guid-2"));
  auto names = folder->list();
  CAF_REQUIRE_EQUAL(names.size(), 3u);
  CAF_CHECK_EQUAL(names[0].name, "notes (2).txt");
  CAF_CHECK_EQUAL(names[2].name, "r.csv");
  CAF_CHECK_EQUAL(names[2].mime, "text/csv");
  folder->remove();
  CAF_CHECK(!fs::exists(folder->path()));
}

CAF_TEST(nothing but the regular files of the folder can be found) {
  scratch root;
  auto folder = artifact_folder::of(root.dir.string(), "s-1");
  CAF_REQUIRE(folder);
  fs::create_directories(folder->work_path());
  write(root.dir / "secret.txt", "outside");
  write(folder->work_path() / "partial.bin", "half");
  fs::create_symlink(root.dir / "secret.txt", folder->path() / "link.txt");
  fs::create_directory(folder->path() / "sub");
  write(folder->path() / "ok.txt", "in");
  CAF_CHECK(folder->find("ok.txt"));
  for (auto name : {"../secret.txt", "link.txt", "sub", ".partial",
                    ".partial/partial.bin", "missing.txt"})
    CAF_CHECK(!folder->find(name));
  auto listed = folder->list();
  CAF_REQUIRE_EQUAL(listed.size(), 1u);
  CAF_CHECK_EQUAL(listed[0].name, "ok.txt");
}
