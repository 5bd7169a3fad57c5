#!/usr/bin/env bash
# Throwaway TLS material for the test broker's SSL listeners, made at test time (never committed).
#
#   test/infra/tls/gen-certs.sh DIR
#
# Writes into DIR (created, mode 700; existing files are replaced):
#   ca.pem, ca.key                  a self-signed test CA (EC P-256, valid 2 days)
#   broker.pem, broker.key          broker certificate signed by the CA; SAN IP:127.0.0.1, DNS:localhost
#   broker.keystore.p12             PKCS12 keystore (alias "broker", chain broker + CA) for the broker
#   truststore.p12                  PKCS12 truststore holding the CA (keytool), for client-auth checks
#   store.password                  the password of both stores (random per generation)
#   client.pem, client.key          client certificate (CN=kafka-backup-test-client) signed by the CA,
#                                   with an unencrypted PKCS#8 key
#   client.enc.key                  the same key encrypted (AES-256) with the passphrase in
#                                   client.key.password, for ssl_key_password
#   other-ca.pem                    an unrelated CA that signed nothing here (a "wrong CA" for tests)
# test/infra/kafka.sh start --tls DIR reads broker.keystore.p12, truststore.p12 and store.password.
# Needs openssl and keytool (test/infra/setup.sh installs them).
set -euo pipefail

die() { printf 'gen-certs: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: gen-certs.sh DIR"
command -v openssl >/dev/null 2>&1 || die "openssl not found; run test/infra/setup.sh"
command -v keytool >/dev/null 2>&1 || die "keytool not found (it comes with the JDK); run test/infra/setup.sh"

dir="$1"
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
rm -f ./*.pem ./*.key ./*.p12 ./*.csr ./*.srl ./*.ext ./*.password

days=2
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# CA with the extensions a CA certificate must carry for Java and Node.js to accept it as an issuer.
make_ca() { # $1 name, $2 CN
  newkey "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days "$days" -subj "/O=kafka-backup test/CN=$2" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -out "$1.pem"
}

sign() { # $1 name, $2 CN, $3 extensions file
  newkey "$1.key"
  openssl req -new -key "$1.key" -subj "/O=kafka-backup test/CN=$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
    -extfile "$3" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr"
}

make_ca ca 'kafka-backup test CA'
make_ca other-ca 'kafka-backup unrelated CA'
rm -f other-ca.key

printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
  'extendedKeyUsage=serverAuth,clientAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' > broker.ext
printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
  'extendedKeyUsage=clientAuth' > client.ext
sign broker localhost broker.ext
sign client kafka-backup-test-client client.ext
rm -f broker.ext client.ext ca.srl

openssl rand -hex 16 > store.password
openssl rand -hex 16 > client.key.password
openssl pkcs8 -topk8 -in client.key -v2 aes-256-cbc -passout file:client.key.password -out client.enc.key

# Broker keystore: key + chain. Java 17 reads OpenSSL 3's default PKCS12 (AES-256, PBKDF2).
openssl pkcs12 -export -name broker -inkey broker.key -in broker.pem -certfile ca.pem \
  -passout file:store.password -out broker.keystore.p12
keytool -importcert -noprompt -alias ca -file ca.pem -storetype PKCS12 \
  -keystore truststore.p12 -storepass "$(cat store.password)" >/dev/null 2>&1 \
  || die "keytool -importcert failed"
chmod 600 ./*.key ./*.p12 ./*.password
