#include "browser/net_errors.hpp"

#include <array>

namespace agenttheo {

namespace {

struct host_port {
  std::string host;
  std::string port;
};

/// The host and port of `url` as written (the scheme's port if none).
host_port split_url(std::string_view url) {
  auto scheme_end = url.find("://");
  auto scheme = scheme_end == std::string_view::npos ? std::string_view{}
                                                     : url.substr(0, scheme_end);
  auto rest = scheme_end == std::string_view::npos ? url
                                                   : url.substr(scheme_end + 3);
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos
      && authority.find(']', colon) == std::string_view::npos)
    return {std::string{authority.substr(0, colon)},
            std::string{authority.substr(colon + 1)}};
  return {std::string{authority}, scheme == "https" ? "443" : "80"};
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

std::string fill(std::string_view sentence, const host_port& where) {
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
  auto where = split_url(url);
  for (const auto& known_error : known)
    if (known_error.code == code)
      return fill(known_error.sentence, where);
  return "the browser could not open it (" + std::string{code} + ")";
}

} // namespace agenttheo
