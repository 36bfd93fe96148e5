# shellcheck shell=bash
# Handler for the hello-bash example: `handler EVENT` prints the response on stdout.
# Log lines must go to stderr here, since stdout is the response.
handler() {
  local event="$1"
  # The event is a JSON document, so it can be embedded as is; an empty one becomes null.
  printf '{"message":"hello from bash","input":%s}\n' "${event:-null}"
}
