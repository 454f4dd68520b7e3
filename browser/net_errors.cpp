#include "browser/net_errors.hpp"

#include <array>

#include "util/url_parts.hpp"

namespace agenttheo {

namespace {

/// The host and port of `url` as written (the scheme's port if none).
url_authority where_of(std::string_view url) {
  auto where = split_authority(url);
  if (where.port.empty())
    where.port = url.rfind("https:", 0) == 0 ? "443" : "80";
  return where;
}

struct net_error {
  std::string_view code;
  std::string_view sentence;
};

// `{host}` and `{port}` are filled in from the URL.
constexpr std::array known{
  net_error{"net::ERR_NAME_NOT_RESOLVED", "no address is known for {host}"},
  net_error{"net::ERR_CONNECTION_REFUSED",
            "the site refused the connection (nothing listens on {host} port "
            "{port})"},
  net_error{"net::ERR_UNSAFE_PORT",
            "port {port} is blocked by the browser as unsafe"},
  net_error{"net::ERR_CONNECTION_TIMED_OUT", "{host} did not answer in time"},
  net_error{"net::ERR_TIMED_OUT", "{host} did not answer in time"},
  net_error{"net::ERR_CONNECTION_RESET", "{host} cut the connection"},
  net_error{"net::ERR_CONNECTION_CLOSED", "{host} closed the connection"},
  net_error{"net::ERR_EMPTY_RESPONSE", "{host} closed the connection without "
                                       "answering"},
  net_error{"net::ERR_ADDRESS_UNREACHABLE", "{host} cannot be reached"},
  net_error{"net::ERR_INTERNET_DISCONNECTED",
            "this machine has no network to reach {host}"},
  net_error{"net::ERR_SSL_PROTOCOL_ERROR",
            "the secure connection to {host} failed (does it speak plain "
            "http?)"},
  net_error{"net::ERR_CERT_AUTHORITY_INVALID",
            "the certificate of {host} is not signed by a trusted authority"},
  net_error{"net::ERR_CERT_COMMON_NAME_INVALID",
            "the certificate is not for {host}"},
  net_error{"net::ERR_CERT_DATE_INVALID",
            "the certificate of {host} has expired or is not valid yet"},
  net_error{"net::ERR_TOO_MANY_REDIRECTS", "the page redirects in a loop"},
  net_error{"net::ERR_INVALID_URL", "that is not a valid address"},
  net_error{"net::ERR_BLOCKED_BY_CLIENT", "the browser blocked the request"},
  net_error{"net::ERR_BLOCKED_BY_RESPONSE", "the site does not allow it"},
  net_error{"net::ERR_ABORTED", "the navigation was stopped"},
  net_error{"net::ERR_FILE_NOT_FOUND", "there is no such file"},
};

std::string fill(std::string_view sentence, const url_authority& where) {
  std::string out;
  for (std::size_t i = 0; i < sentence.size();) {
    if (sentence.compare(i, 6, "{host}") == 0) {
      out += where.host.empty() ? "the site" : where.host;
      i += 6;
    } else if (sentence.compare(i, 6, "{port}") == 0) {
      out += where.port;
      i += 6;
    } else {
      out += sentence[i++];
    }
  }
  return out;
}

} // namespace

std::string describe_net_error(std::string_view code, std::string_view url) {
  auto where = where_of(url);
  for (const auto& known_error : known)
    if (known_error.code == code)
      return fill(known_error.sentence, where);
  return "the browser could not open it (" + std::string{code} + ")";
}

} // namespace agenttheo
