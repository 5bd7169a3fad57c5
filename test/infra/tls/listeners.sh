# Security listeners of the test broker, sourced by test/infra/kafka.sh (start --sasl / --tls).
# Port layout from the broker port P: SASL_PLAINTEXT P+2, SSL P+3, SASL_SSL P+4 (only with both
# flags), MTLS P+5 (SSL with ssl.client.auth=required). Inter-broker and controller traffic stay on
# the PLAINTEXT listeners, so a security mistake never stops the broker itself from starting.
# shellcheck shell=bash

# The SASL users: PLAIN through the listener's JAAS config, SCRAM-SHA-256/512 credentials in the
# cluster metadata (written by StorageTool format, or by ConfigCommand for data formatted earlier).
# alice is a super user; bob is restricted by whatever ACLs a test adds (see sec_props).
SEC_USER=alice
SEC_PASSWORD=alice-secret
SEC_USER2=bob
SEC_PASSWORD2=bob-secret
SEC_MECHANISMS=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
# Marker in the data dir: the SCRAM credentials of both users exist in this cluster's metadata
# (a new name: data marked by the alice-only version gets bob's credentials added on start).
SEC_SCRAM_MARKER=.kb-scram-users-2
# The mTLS listener's client principal (test/infra/tls/gen-certs.sh's client certificate, RFC 2253).
SEC_MTLS_PRINCIPAL='User:CN=kafka-backup-test-client,O=kafka-backup test'

# sec_plan PORT SASL(0|1) TLSDIR: sets SEC_LISTENERS (",NAME://host:port"...), SEC_PROTOMAP
# (",NAME:PROTOCOL"...), SEC_ENV (KEY=host:port lines) and SEC_PORTS ("port name" lines).
sec_plan() {
  local port="$1" sasl="$2" tls="$3" entry name proto key off
  SEC_LISTENERS='' SEC_PROTOMAP='' SEC_ENV=() SEC_PORTS=()
  local plan=()
  [ "$sasl" = 1 ] && plan+=("SASL_PLAINTEXT SASL_PLAINTEXT SASL 2")
  [ -n "$tls" ] && plan+=("SSL SSL SSL 3")
  [ "$sasl" = 1 ] && [ -n "$tls" ] && plan+=("SASL_SSL SASL_SSL SASL_SSL 4")
  [ -n "$tls" ] && plan+=("MTLS SSL MTLS 5")
  for entry in "${plan[@]+"${plan[@]}"}"; do
    read -r name proto key off <<<"$entry"
    SEC_LISTENERS+=",$name://127.0.0.1:$((port + off))"
    SEC_PROTOMAP+=",$name:$proto"
    SEC_ENV+=("$key=127.0.0.1:$((port + off))")
    SEC_PORTS+=("$((port + off)) $name")
  done
}

# sec_check_tls_dir TLSDIR: the files start and its readiness checks read.
sec_check_tls_dir() {
  local f
  for f in broker.keystore.p12 truststore.p12 store.password ca.pem client.pem client.key; do
    [ -r "$1/$f" ] || die "--tls $1: missing $f (make the directory with test/infra/tls/gen-certs.sh)"
  done
}

# sec_props SASL TLSDIR: server.properties lines for the listeners sec_plan named.
sec_props() {
  local sasl="$1" tls="$2" l m cls
  if [ "$sasl" = 1 ]; then
    printf 'sasl.enabled.mechanisms=%s\n' "$SEC_MECHANISMS"
    for l in sasl_plaintext ${tls:+sasl_ssl}; do
      printf 'listener.name.%s.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_%s="%s" user_%s="%s";\n' \
        "$l" "$SEC_USER" "$SEC_PASSWORD" "$SEC_USER2" "$SEC_PASSWORD2"
      for m in scram-sha-256 scram-sha-512; do
        cls=org.apache.kafka.common.security.scram.ScramLoginModule
        printf 'listener.name.%s.%s.sasl.jaas.config=%s required;\n' "$l" "$m" "$cls"
      done
    done
    # An authorizer that restricts only what has ACLs: with no ACL on a resource everyone may use it,
    # and the principals every other test connects as are super users (ANONYMOUS: PLAINTEXT, SSL and
    # the broker's own inter-broker and controller traffic; alice; the mTLS client). So only bob,
    # on resources a test gave ACLs, is ever refused.
    printf '%s\n' 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer' \
      'allow.everyone.if.no.acl.found=true' \
      "super.users=User:ANONYMOUS;User:$SEC_USER;$SEC_MTLS_PRINCIPAL"
  fi
  if [ -n "$tls" ]; then
    local pw; pw="$(cat "$tls/store.password")"
    printf '%s\n' \
      "ssl.keystore.type=PKCS12" "ssl.keystore.location=$tls/broker.keystore.p12" \
      "ssl.keystore.password=$pw" "ssl.key.password=$pw" \
      "ssl.truststore.type=PKCS12" "ssl.truststore.location=$tls/truststore.p12" \
      "ssl.truststore.password=$pw" \
      "listener.name.mtls.ssl.client.auth=required"
  fi
}

sec_scram_format_args() {
  local m
  for m in SCRAM-SHA-256 SCRAM-SHA-512; do
    printf '%s\n' --add-scram "$m=[name=$SEC_USER,password=$SEC_PASSWORD]" --add-scram "$m=[name=$SEC_USER2,password=$SEC_PASSWORD2]"
  done
}

# sec_upsert_scram BOOTSTRAP: SCRAM credentials for a data dir formatted without them. One call per
# mechanism: the broker refuses two credential changes for one user in one request.
sec_upsert_scram() {
  local tool_log tool_opts m
  mapfile -t tool_log < <(log_flags tools)
  mapfile -t tool_opts < <(tool_jvm_opts)
  local u pw
  for u in "$SEC_USER:$SEC_PASSWORD" "$SEC_USER2:$SEC_PASSWORD2"; do
    pw="${u#*:}" u="${u%%:*}"
    for m in SCRAM-SHA-256 SCRAM-SHA-512; do
      java "${tool_opts[@]}" "${tool_log[@]}" -cp "$LIBS/*" kafka.admin.ConfigCommand --bootstrap-server "$1" \
        --alter --entity-type users --entity-name "$u" --add-config "$m=[password=$pw]" >&2 || return 1
    done
  done
}

# sec_check TLSDIR: one `kcat -L` through every listener in SEC_ENV, authenticated as a client of
# that listener must be. Prints the first failing listener's kcat error; returns 1 on failure.
# SASL is checked with PLAIN only: librdkafka before 2.6.1 (kcat 1.7.1 on Debian 12 has 2.0.2)
# builds a SCRAM client-final nonce that Kafka 4.x rejects as "invalid credentials".
sec_check() {
  local tls="$1" line key addr args out
  for line in "${SEC_ENV[@]+"${SEC_ENV[@]}"}"; do
    key="${line%%=*}" addr="${line#*=}"
    local sasl_args=(-X "sasl.username=$SEC_USER" -X "sasl.password=$SEC_PASSWORD")
    local tls_args=(-X "ssl.ca.location=$tls/ca.pem")
    case "$key" in
      SASL) args=(-X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN "${sasl_args[@]}");;
      SSL) args=(-X security.protocol=SSL "${tls_args[@]}");;
      SASL_SSL) args=(-X security.protocol=SASL_SSL -X sasl.mechanisms=PLAIN "${sasl_args[@]}" "${tls_args[@]}");;
      MTLS) args=(-X security.protocol=SSL "${tls_args[@]}" -X "ssl.certificate.location=$tls/client.pem"
                  -X "ssl.key.location=$tls/client.key");;
    esac
    if ! out="$(kcat -L -b "$addr" -m 10 -J "${args[@]}" 2>&1 >/dev/null)"; then
      log "listener $key ($addr) does not answer kcat -L: $out"
      return 1
    fi
  done
}
