#define CAF_SUITE egress_policy

#include "browser/egress_policy.hpp"

#include <caf/test/unit_test.hpp>

#include "browser/address_scope.hpp"
#include "browser/canonical_host.hpp"
#include "browser/proxy_target.hpp"

using namespace agenttheo;

// Inputs only: no test here sends a byte anywhere.

namespace {

bool allowed(const egress_policy& p, const std::string& url) {
  return !check_navigation(p, url).has_value();
}

/// The host `url` reaches, as the URL Standard (and Chromium) reads it.
std::string host_of(const std::string& url) {
  auto parsed = parse_url_target(url);
  if (auto* why = std::get_if<std::string>(&parsed))
    return "error: " + *why;
  return std::get<url_target>(parsed).host.name;
}

std::string refusal(const egress_policy& p, const std::string& url) {
  return check_navigation(p, url).value_or("allowed");
}

} // namespace

CAF_TEST(only http and https by default) {
  egress_policy p;
  CAF_CHECK(allowed(p, "https://example.com/a?b#c"));
  CAF_CHECK(allowed(p, "http://127.0.0.1:8080/"));
  CAF_CHECK(allowed(p, "HTTP://Example.COM"));
  for (auto* url : {"file:///etc/passwd", "chrome://settings", "javascript:alert(1)",
                    "data:text/html,hi", "about:blank", "ftp://x.org/", "example.com",
                    "view-source:https://example.com"})
    CAF_CHECK(!allowed(p, url));
  CAF_CHECK_EQUAL(refusal(p, "file:///etc/passwd"), "the file: scheme is not allowed");
}

CAF_TEST(every spelling of an address canonicalises to it) {
  for (auto* url : {"http://2852039166/", "http://0xa9fea9fe/",
                    "http://0XA9FEA9FE/", "http://0251.0376.0251.0376/",
                    "http://169.254.43518/", "http://169.254.169.%32%35%34/",
                    "http://169.254.169.254./", "http://0xa9.0xfe.0xa9.0xfe/",
                    "http://169.16689662/", "http://%31%36%39.254.169.254/",
                    "http://\xef\xbc\x91\xef\xbc\x96\xef\xbc\x99.254.169.254/",
                    "http://169\xe3\x80\x82" "254.169.254/",
                    "http://1\xc2\xad" "69.254.169.254/",
                    "http://u@169.254.169.254:80/", "http:\\\\169.254.169.254\\x",
                    "http:169.254.169.254/", " http://169.254.169.254/ ",
                    "http://169.254.\t169.254/", "HTTP://169.254.169.254:0080/"})
    CAF_CHECK_EQUAL(host_of(url), "169.254.169.254");
  CAF_CHECK_EQUAL(host_of("http://[::ffff:169.254.169.254]/"), "[::ffff:a9fe:a9fe]");
  CAF_CHECK_EQUAL(host_of("http://[::FFFF:A9FE:A9FE]/"), "[::ffff:a9fe:a9fe]");
  for (auto* url : {"http://2130706433/", "http://0x7f000001/", "http://127.1/",
                    "http://127.0.0.%31/", "http://017700000001/", "http://127.0.1/",
                    "http://0x7f.1/"})
    CAF_CHECK_EQUAL(host_of(url), "127.0.0.1");
  // The backslash ends the authority: the browser goes to x.
  CAF_CHECK_EQUAL(host_of("http://x\\@example.com/"), "x");
  CAF_CHECK_EQUAL(host_of("http://a@b@example.com/"), "example.com");
  CAF_CHECK_EQUAL(host_of("http://Example.COM./"), "example.com.");
  CAF_CHECK_EQUAL(host_of("http://0x/"), "0.0.0.0");
  CAF_CHECK_EQUAL(host_of("http://[0:0::1]/"), "[::1]");
  CAF_CHECK_EQUAL(host_of("http://[1:0:0:2:0:0:0:3]/"), "[1:0:0:2::3]");
}

CAF_TEST(invalid hosts are refused not guessed) {
  for (auto* url : {"http://256.0.0.1/", "http://1.2.3.4.5/", "http://09/",
                    "http://0x100000000/", "http://4294967296/", "http://1.2.3.256/",
                    "http://[::1/", "http://[fe80::1%25eth0]/", "http://a b/",
                    "http://%zz/", "http://a%00b/", "http:///", "http://:80/",
                    "http://host:99999/", "http://host:8o/", "http://\xff/"})
    CAF_CHECK(host_of(url).rfind("error: ", 0) == 0);
}

CAF_TEST(link local and metadata are refused in every spelling) {
  egress_policy p;
  p.allowed_hosts = {"169.254.169.254"};
  p.private_nets = private_networks::all;
  for (auto* url : {"http://169.254.169.254/latest/meta-data/", "http://2852039166/",
                    "http://0xa9fea9fe/", "http://0251.0376.0251.0376/",
                    "http://169.254.43518/", "http://169.254.169.%32%35%34/",
                    "http://169.254.169.254./", "http://169.254.169.254\\@example.com/"})
    CAF_CHECK_EQUAL(refusal(p, url),
                    "169.254.169.254 is a cloud metadata address, never allowed");
  for (auto* url : {"http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/",
                    "http://[2002:a9fe:a9fe::]/"})
    CAF_CHECK_NOT_EQUAL(refusal(p, url).find(
                          "(169.254.169.254) is a cloud metadata address, never allowed"),
                        std::string::npos);
  CAF_CHECK_EQUAL(refusal(p, "http://169.254.0.1/"),
                  "169.254.0.1 is a link-local address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://[fe80::1]/"),
                  "fe80::1 is a link-local address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://metadata.google.internal./"),
                  "metadata.google.internal. is a cloud metadata name, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://0.0.0.0:8000/"),
                  "0.0.0.0 is an unspecified (this-host) address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://0/"),
                  "0.0.0.0 is an unspecified (this-host) address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://[::]/"),
                  ":: is an unspecified (this-host) address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://224.0.0.1/"),
                  "224.0.0.1 is a multicast address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://[ff02::1]/"),
                  "ff02::1 is a multicast address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://255.255.255.255/"),
                  "255.255.255.255 is a reserved or broadcast address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://[fd00:ec2::254]/"),
                  "fd00:ec2::254 is a cloud metadata address, never allowed");
  CAF_CHECK_EQUAL(refusal(p, "http://100.100.100.200/"),
                  "100.100.100.200 is a cloud metadata address, never allowed");
}

CAF_TEST(private networks follow the setting) {
  egress_policy p;
  for (auto* url : {"http://10.0.0.5/", "http://172.16.1.1/", "http://172.31.255.255/",
                    "http://192.168.1.1/", "http://100.64.0.1/", "http://[fc00::1]/",
                    "http://[fd12:3456::1]/", "http://167772165/", "http://012.0.0.5/",
                    "http://[::ffff:10.0.0.5]/"})
    CAF_CHECK(!allowed(p, url));
  CAF_CHECK_EQUAL(refusal(p, "http://10.0.0.5/"), "10.0.0.5 is a private address");
  CAF_CHECK_EQUAL(refusal(p, "http://100.64.0.1/"),
                  "100.64.0.1 is a shared (CGNAT) address");
  CAF_CHECK(allowed(p, "http://172.32.0.1/"));
  CAF_CHECK(allowed(p, "http://127.0.0.1/"));
  CAF_CHECK(allowed(p, "http://[::1]:8000/"));
  CAF_CHECK(allowed(p, "http://8.8.8.8/"));
  p.private_nets = private_networks::all;
  CAF_CHECK(allowed(p, "http://10.0.0.5/"));
  CAF_CHECK(allowed(p, "http://[fc00::1]/"));
  p.private_nets = private_networks::none;
  CAF_CHECK(!allowed(p, "http://10.0.0.5/"));
  CAF_CHECK_EQUAL(refusal(p, "http://2130706433/"),
                  "127.0.0.1 is a loopback address (BROWSER_PRIVATE_NETWORKS=none)");
  CAF_CHECK(!allowed(p, "http://[::1]/"));
}

CAF_TEST(the deny list catches every spelling of a denied address) {
  egress_policy p;
  p.denied_hosts = {"127.0.0.1", "10.1.0.0/16"};
  for (auto* url : {"http://127.0.0.1/", "http://2130706433/", "http://0x7f000001/",
                    "http://127.1/", "http://127.0.0.%31/", "http://127.0.0.1./",
                    "http://127.0.0.1\\@example.com/"})
    CAF_CHECK_EQUAL(refusal(p, url), "127.0.0.1 is denied by configuration");
  CAF_CHECK_EQUAL(refusal(p, "http://[::ffff:127.0.0.1]/"),
                  "[::ffff:7f00:1] is denied by configuration");
  CAF_CHECK(allowed(p, "http://127.0.0.2/"));
  p.private_nets = private_networks::all;
  CAF_CHECK(!allowed(p, "http://10.1.200.3/"));
  CAF_CHECK(allowed(p, "http://10.2.0.1/"));
  // Entries in a URL's spelling work too.
  p.denied_hosts = {"0x7f000002"};
  CAF_CHECK(!allowed(p, "http://127.0.0.2/"));
}

CAF_TEST(host lists match names and their subdomains) {
  egress_policy p;
  p.denied_hosts = {"evil.example"};
  CAF_CHECK(!allowed(p, "https://evil.example/"));
  CAF_CHECK(!allowed(p, "https://www.EVIL.example./x"));
  CAF_CHECK(!allowed(p, "https://%65vil.example/"));
  CAF_CHECK(allowed(p, "https://notevil.example/"));
  p.allowed_hosts = {"example.org", "localhost"};
  CAF_CHECK(allowed(p, "https://docs.example.org/"));
  CAF_CHECK(!allowed(p, "https://example.com/"));
  // Allowing a name does not allow its address written out.
  CAF_CHECK(allowed(p, "http://localhost:8000/"));
  CAF_CHECK_EQUAL(refusal(p, "http://127.0.0.1:8000/"),
                  "127.0.0.1 is not in the allowed list");
}

CAF_TEST(resolved addresses are judged like written ones) {
  egress_policy p;
  p.denied_hosts = {"127.0.0.2"};
  auto host = std::get<canonical_host>(canonicalize_host("denied.test"));
  auto check = [&](const char* address) {
    return check_address(p, host, *parse_ip_literal(address)).value_or("allowed");
  };
  CAF_CHECK_EQUAL(check("127.0.0.2"),
                  "denied.test resolves to 127.0.0.2, which is denied by configuration");
  CAF_CHECK_EQUAL(check("::ffff:127.0.0.2"),
                  "denied.test resolves to ::ffff:7f00:2, which is denied by "
                  "configuration");
  CAF_CHECK_EQUAL(check("::ffff:169.254.169.254"),
                  "denied.test resolves to ::ffff:a9fe:a9fe (169.254.169.254) is a "
                  "cloud metadata address, never allowed");
  CAF_CHECK_EQUAL(check("10.0.0.5"), "denied.test resolves to 10.0.0.5 is a private address");
  CAF_CHECK_EQUAL(check("169.254.169.254"),
                  "denied.test resolves to 169.254.169.254 is a cloud metadata "
                  "address, never allowed");
  CAF_CHECK_EQUAL(check("127.0.0.1"), "allowed");
  CAF_CHECK_EQUAL(check("93.184.216.34"), "allowed");
}

CAF_TEST(address scopes) {
  auto scope = [](const char* a) { return scope_of(*parse_ip_literal(a)); };
  CAF_CHECK(scope("127.255.0.1") == address_scope::loopback);
  CAF_CHECK(scope("::1") == address_scope::loopback);
  CAF_CHECK(scope("::ffff:127.0.0.1") == address_scope::loopback);
  CAF_CHECK(scope("192.168.0.1") == address_scope::private_network);
  CAF_CHECK(scope("fe80::abcd") == address_scope::forbidden);
  CAF_CHECK(scope("0.1.2.3") == address_scope::forbidden);
  CAF_CHECK(scope("8.8.4.4") == address_scope::public_network);
  CAF_CHECK(scope("2001:db8::1") == address_scope::public_network);
}

CAF_TEST(proxy targets) {
  auto target = [](const char* method, const char* t) {
    auto parsed = read_proxy_target(method, t);
    if (auto* why = std::get_if<std::string>(&parsed))
      return "error: " + *why;
    auto& p = std::get<proxy_target>(parsed);
    return std::string{p.tunnel ? "tunnel " : "forward "} + p.where() + " " + p.path;
  };
  CAF_CHECK_EQUAL(target("CONNECT", "example.com:443"), "tunnel example.com:443 ");
  CAF_CHECK_EQUAL(target("CONNECT", "[::1]:8443"), "tunnel [::1]:8443 ");
  CAF_CHECK_EQUAL(target("CONNECT", "2130706433:443"), "tunnel 127.0.0.1:443 ");
  CAF_CHECK_EQUAL(target("GET", "http://127.0.0.2:8000/a/b?c=d"),
                  "forward 127.0.0.2:8000 /a/b?c=d");
  CAF_CHECK_EQUAL(target("GET", "http://host?q"), "forward host:80 /?q");
  CAF_CHECK_EQUAL(target("POST", "HTTP://Host"), "forward host:80 /");
  CAF_CHECK(target("CONNECT", "example.com").rfind("error", 0) == 0);
  CAF_CHECK(target("CONNECT", "[::1]").rfind("error", 0) == 0);
  CAF_CHECK(target("CONNECT", "a@b:443").rfind("error", 0) == 0);
  CAF_CHECK(target("GET", "/stream").rfind("error", 0) == 0);
  CAF_CHECK(target("GET", "https://x/").rfind("error", 0) == 0);
  CAF_CHECK_EQUAL(journal_key("https://Example.com/x"), "example.com:443");
}
