#define CAF_SUITE artifacts

#include "store/artifact_folder.hpp"

#include <caf/test/unit_test.hpp>

#include <fstream>
#include <set>

#include "protocol/artifact_api.hpp"
#include "protocol/multipart_body.hpp"
#include "protocol/routes.hpp"
#include "util/artifact_name.hpp"
#include "util/json_reader.hpp"

#include "test_files.hpp"

using namespace agenttheo;
namespace fs = std::filesystem;

namespace {

using test::scratch;

void write(const fs::path& file, const std::string& bytes) {
  std::ofstream out{file, std::ios::binary};
  out << bytes;
}

std::string read(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

std::string form(const std::string& boundary, const std::string& parts) {
  return parts + "--" + boundary + "--\r\n";
}

std::string part(const std::string& boundary, const std::string& disposition,
                 const std::string& data) {
  return "--" + boundary + "\r\nContent-Disposition: " + disposition
         + "\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n";
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
  fs::create_directories(folder->download_path());
  write(root.dir / "secret.txt", "outside");
  write(folder->work_path() / "partial.bin", "half");
  write(folder->download_path() / "guid-3", "half");
  fs::create_symlink(root.dir / "secret.txt", folder->path() / "link.txt");
  fs::create_directory(folder->path() / "sub");
  write(folder->path() / "ok.txt", "in");
  CAF_CHECK(folder->find("ok.txt"));
  for (auto name : {"../secret.txt", "link.txt", "sub", ".partial",
                    ".partial/partial.bin", ".downloads", "missing.txt"})
    CAF_CHECK(!folder->find(name));
  auto listed = folder->list();
  CAF_REQUIRE_EQUAL(listed.size(), 1u);
  CAF_CHECK_EQUAL(listed[0].name, "ok.txt");
}

CAF_TEST(a multipart form gives its first file part) {
  CAF_CHECK_EQUAL(multipart_boundary("multipart/form-data; boundary=XyZ"), "XyZ");
  CAF_CHECK_EQUAL(multipart_boundary("Multipart/Form-Data; charset=x; boundary=\"a b\""),
                  "a b");
  CAF_CHECK(!multipart_boundary("multipart/form-data"));
  CAF_CHECK(!multipart_boundary("application/octet-stream"));
  CAF_CHECK(!multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'b')));
  std::string b = "----b0undary";
  std::string data{"line1\r\nline2\0\xff--", 16};
  auto body = form(b, part(b, "form-data; name=\"note\"", "not a file")
                        + part(b, "form-data; name=\"file\"; filename=\"cv.pdf\"", data)
                        + part(b, "form-data; name=\"other\"; filename=\"x\"", "x"));
  auto found = first_posted_file(body, b);
  CAF_REQUIRE(std::holds_alternative<posted_file>(found));
  CAF_CHECK_EQUAL(std::get<posted_file>(found).filename, "cv.pdf");
  CAF_CHECK_EQUAL(std::string{std::get<posted_file>(found).data}, data);
  // A part without headers has none, whatever its data says.
  auto headless = form(b, "--" + b + "\r\n\r\nContent-Disposition: form-data; "
                          "filename=\"fake.txt\"\r\n"
                          + part(b, "form-data; name=f; filename=\"real.txt\"", "r"));
  auto real = first_posted_file(headless, b);
  CAF_REQUIRE(std::holds_alternative<posted_file>(real));
  CAF_CHECK_EQUAL(std::get<posted_file>(real).filename, "real.txt");
  // RFC 8187's filename* wins over filename.
  auto utf8 = form(b, part(b, "form-data; name=f; filename=\"r_sum_.pdf\"; "
                              "filename*=UTF-8''r%C3%A9sum%C3%A9+1.pdf", "d"));
  auto named = first_posted_file(utf8, b);
  CAF_REQUIRE(std::holds_alternative<posted_file>(named));
  CAF_CHECK_EQUAL(std::get<posted_file>(named).filename, "résumé+1.pdf");
  for (const auto& bad :
       {std::string{"no delimiter"}, form(b, part(b, "form-data; name=a", "x")),
        "--" + b + "\r\nContent-Disposition: form-data; filename=a\r\n\r\nnever ends",
        "--" + b + "garbage", "--" + b + "\r\nContent-Disposition: x"})
    CAF_CHECK(std::holds_alternative<std::string>(first_posted_file(bad, b)));
}

CAF_TEST(an upload is a multipart form or a raw body named by the query) {
  std::string b = "B";
  // The upload's bytes are a view of the body: it must outlive them.
  auto body = form(b, part(b, "form-data; name=file; filename=a.txt", "abc"));
  auto multipart = parse_artifact_upload("multipart/form-data; boundary=B", "", body);
  CAF_REQUIRE(std::holds_alternative<artifact_upload>(multipart));
  CAF_CHECK_EQUAL(std::get<artifact_upload>(multipart).name, "a.txt");
  CAF_CHECK_EQUAL(std::string{std::get<artifact_upload>(multipart).bytes}, "abc");
  auto raw = parse_artifact_upload("application/pdf", "name=my%20cv.pdf", "%PDF");
  CAF_REQUIRE(std::holds_alternative<artifact_upload>(raw));
  CAF_CHECK_EQUAL(std::get<artifact_upload>(raw).name, "my cv.pdf");
  auto unnamed = parse_artifact_upload("", "", "bytes");
  CAF_CHECK_EQUAL(std::get<artifact_upload>(unnamed).name, "upload");
  auto empty = parse_artifact_upload("", "name=x", "");
  CAF_REQUIRE(std::holds_alternative<api_error>(empty));
  CAF_CHECK_EQUAL(std::get<api_error>(empty).status, 400);
  auto empty_body = form(b, part(b, "form-data; name=file; filename=a.txt", ""));
  auto empty_part = parse_artifact_upload("multipart/form-data; boundary=B", "",
                                          empty_body);
  CAF_CHECK(std::holds_alternative<api_error>(empty_part));
}

CAF_TEST(names in the path are decoded once and checked) {
  CAF_CHECK_EQUAL(std::get<std::string>(artifact_name_from_path("a%20b+c.txt")),
                  "a b+c.txt");
  for (auto bad : {"..", "%2e%2e", "..%2Fetc%2Fpasswd", "a%2Fb", "%00x",
                   ".partial", "%zz"})
    CAF_CHECK(std::holds_alternative<api_error>(artifact_name_from_path(bad)));
  auto route = resolve_route("GET", "/api/sessions/s-1/artifacts/a%2Fb");
  CAF_CHECK(route.target == route::session_artifact);
  CAF_CHECK_EQUAL(route.param, "s-1");
  CAF_CHECK_EQUAL(route.param2, "a%2Fb");
  CAF_CHECK(resolve_route("POST", "/api/sessions/s-1/artifacts").target
            == route::session_artifacts);
  CAF_CHECK(!resolve_route("POST", "/api/sessions/s-1/artifacts/x").method_allowed);
  CAF_CHECK(resolve_route("GET", "/api/sessions/s-1/artifacts/").target
            == route::not_found);
}

CAF_TEST(downloads are attachments named exactly and in ASCII) {
  CAF_CHECK_EQUAL(content_disposition("report.csv"),
                  "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv");
  CAF_CHECK_EQUAL(content_disposition("é \"q\".txt"),
                  "attachment; filename=\"__ _q_.txt\"; "
                  "filename*=UTF-8''%C3%A9%20%22q%22.txt");
  json_document doc{artifact_list_json("s:1", {{"a b.txt", "text/plain", 3}}, 100)};
  json_reader list{doc};
  CAF_CHECK_EQUAL(list.integer("bytes").value_or(0), 3);
  CAF_CHECK_EQUAL(list.integer("max_bytes").value_or(0), 100);
  auto* files = list.array("artifacts");
  CAF_REQUIRE(files && files->Size() == 1);
  CAF_CHECK_EQUAL(json_reader{(*files)[0]}.text("url").value_or(""),
                  "/api/sessions/s%3A1/artifacts/a%20b.txt");
}
