#!/usr/bin/env python3
"""Independent Kafka checker for the kafka-backup integration tests.

It uses confluent-kafka (librdkafka), never kafka-backup's own code, so fixtures are produced and
read back by a client that shares nothing with the product.

  kcheck.py produce --bootstrap B --topic T [--transactional-id X] [--producer NAME=TXNID]...
                    [--compression none|gzip|snappy|lz4|zstd] [--linger-ms N]   < lines.jsonl
  kcheck.py dump --bootstrap B --topic T [--isolation read_committed|read_uncommitted]
  kcheck.py commit --bootstrap B --group G --offset TOPIC:PARTITION:OFFSET...
  kcheck.py committed --bootstrap B --group G --topic T
  kcheck.py group-read --bootstrap B --group G --topic T
  kcheck.py group-hold --bootstrap B --group G --topic T

produce reads JSON lines from stdin. A message line:
  {"partition": 0, "key": b64|null, "value": b64|null, "headers": [[name, b64|null], ...],
   "timestamp": ms|null, "producer": NAME (optional)}
A control line (no "partition"):
  {"txn": "begin"|"commit"|"abort", "producer": NAME}   transaction boundaries
  {"flush": true, "producer": NAME}                     wait until everything sent so far is acked
The unnamed producer ("") is transactional when --transactional-id is given. --producer NAME=TXNID
adds a named transactional producer, --producer NAME= a named plain (idempotent) one, so lines from
several producers interleave in one partition in the order the lines give (with flush lines).
Before an abort the producer flushes, so the aborted records really are in the log.
Exit 0 only when every message was delivered; prints {"delivered": N} on stdout.

dump assigns every partition explicitly (no group membership, nothing committed), reads from the
beginning to the end offsets seen when it started, and prints one JSON line per record sorted by
(partition, offset):
  {"partition", "offset", "timestamp_type": "create"|"log_append", "timestamp", "key", "value",
   "headers": [[name, b64|null], ...]}
Keys, values and header values are base64 (null stays null); header names are strings. A header
name that is not UTF-8 cannot be read through confluent-kafka (it decodes names itself): dump then
fails naming the record (a client that hands names over as bytes would get "b64:" + base64).
The default isolation is read_committed (what an ordinary consumer sees).

commit commits offsets for a group as an admin would (no membership). committed prints one JSON line
{"partition", "offset"} per partition of T with a committed offset. group-read joins group G,
subscribes to T with auto.offset.reset=error (a partition without a committed offset is a failure,
not a silent reset), reads every partition from the group's committed offset to the end offsets
seen at the start, commits nothing, and prints the records as dump does. group-hold joins group G
(subscribed to T), prints {"assigned": [partitions]} once it has an assignment, and stays an active
member, committing nothing, until SIGTERM, when it leaves the group cleanly.
"""
import argparse
import base64
import json
import sys
import time

from confluent_kafka import (
    OFFSET_BEGINNING,
    TIMESTAMP_CREATE_TIME,
    TIMESTAMP_LOG_APPEND_TIME,
    Consumer,
    KafkaError,
    Producer,
    TopicPartition,
)

DEADLINE_S = 120


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def unb64(text):
    return None if text is None else base64.b64decode(text, validate=True)


def fail(message):
    print(f"kcheck: {message}", file=sys.stderr)
    sys.exit(1)


# ---- produce ------------------------------------------------------------------------------------

class Producers:
    def __init__(self, args):
        base = {
            "bootstrap.servers": args.bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": args.linger_ms,
            "compression.type": args.compression,
            "message.timeout.ms": 60000,
        }
        specs = {"": args.transactional_id}
        for spec in args.producer:
            name, sep, txn = spec.partition("=")
            if not sep or not name:
                fail(f"--producer wants NAME=TXNID or NAME=, got {spec!r}")
            specs[name] = txn or None
        self.producers = {}
        for name, txn in specs.items():
            conf = dict(base)
            if txn:
                conf["transactional.id"] = txn
            p = Producer(conf)
            if txn:
                p.init_transactions(30)
            self.producers[name] = p
        self.delivered = 0
        self.errors = []

    def get(self, name):
        p = self.producers.get(name)
        if p is None:
            fail(f"unknown producer {name!r} (declare it with --producer)")
        return p

    def on_delivery(self, err, msg):
        if err is not None:
            self.errors.append(f"partition {msg.partition()}: {err}")
        else:
            self.delivered += 1

    def flush(self, p):
        left = p.flush(60)
        if left:
            fail(f"{left} messages still unacknowledged after 60 s")


def produce(args):
    ps = Producers(args)
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        m = json.loads(line)
        p = ps.get(m.get("producer") or "")
        if "partition" not in m:
            txn = m.get("txn")
            if txn == "begin":
                p.begin_transaction()
            elif txn == "commit":
                p.commit_transaction(60)
            elif txn == "abort":
                ps.flush(p)  # the aborted records must reach the log before the abort marker
                p.abort_transaction(60)
            elif m.get("flush"):
                ps.flush(p)
            else:
                fail(f"line {lineno}: neither a message nor a known control line: {line.strip()}")
            continue
        kwargs = {
            "value": unb64(m.get("value")),
            "key": unb64(m.get("key")),
            "partition": int(m["partition"]),
            "headers": [(h[0], unb64(h[1])) for h in (m.get("headers") or [])],
            "on_delivery": ps.on_delivery,
        }
        ts = m.get("timestamp")
        if ts is not None:
            # librdkafka reads timestamp 0 as "now": refuse rather than produce something else.
            if int(ts) == 0:
                fail(f"line {lineno}: librdkafka cannot produce CreateTime 0 (it means 'now')")
            kwargs["timestamp"] = int(ts)
        while True:
            try:
                p.produce(args.topic, **kwargs)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    for p in ps.producers.values():
        ps.flush(p)
    if ps.errors:
        # The record that made a batch fail, rather than its batch mates (_INVALID_DIFFERENT_RECORD).
        cause = [e for e in ps.errors if "INVALID_DIFFERENT_RECORD" not in e] or ps.errors
        fail(f"{len(ps.errors)} deliveries failed, e.g. {cause[0]}")
    print(json.dumps({"delivered": ps.delivered}))


# ---- dump ---------------------------------------------------------------------------------------

def header_name(name):
    if isinstance(name, bytes):
        try:
            return name.decode("utf-8")
        except UnicodeDecodeError:
            return "b64:" + b64(name)
    return name


def topic_partitions(c, topic):
    meta = c.list_topics(topic, timeout=30)
    t = meta.topics.get(topic)
    if t is None or t.error is not None:
        fail(f"topic {topic}: {t.error if t else 'not found'}")
    return sorted(t.partitions)


def messages_to_end(c, topic, ends, what):
    """The data messages c delivers until every partition of ends (partition -> end offset) is done.

    A partition is done at an EOF at or past the end seen at the start. EOF (not the position)
    is the signal because aborted records and transaction markers are never delivered."""
    pending = set(ends)
    deadline = time.monotonic() + DEADLINE_S
    while pending:
        if time.monotonic() > deadline:
            fail(f"{what} of {topic} did not reach the end of partitions {sorted(pending)} in {DEADLINE_S} s")
        msg = c.poll(1.0)
        if msg is None:
            continue
        err = msg.error()
        if err is not None:
            if err.code() == KafkaError._PARTITION_EOF:
                if msg.offset() >= ends[msg.partition()]:
                    pending.discard(msg.partition())
                continue
            fail(f"consume error: {err}")
        yield msg
        if msg.offset() + 1 >= ends[msg.partition()]:
            pending.discard(msg.partition())


def dump(args):
    c = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "kcheck-dump-never-committed",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
        "isolation.level": args.isolation,
    })
    ends = {}
    for p in topic_partitions(c, args.topic):
        low, high = c.get_watermark_offsets(TopicPartition(args.topic, p), timeout=30, cached=False)
        if high > low:
            ends[p] = high
    c.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in ends])
    records = []
    for msg in messages_to_end(c, args.topic, ends, "dump"):
        ts_type, ts = msg.timestamp()
        kind = {TIMESTAMP_CREATE_TIME: "create", TIMESTAMP_LOG_APPEND_TIME: "log_append"}.get(ts_type)
        if kind is None:
            fail(f"partition {msg.partition()} offset {msg.offset()}: no timestamp")
        try:
            headers = msg.headers() or []
        except (SystemError, UnicodeDecodeError):
            # confluent-kafka decodes header names as UTF-8 and offers no raw form.
            fail(f"partition {msg.partition()} offset {msg.offset()}: a header name is not UTF-8, "
                 "which confluent-kafka cannot read")
        records.append({
            "partition": msg.partition(),
            "offset": msg.offset(),
            "timestamp_type": kind,
            "timestamp": ts,
            "key": b64(msg.key()),
            "value": b64(msg.value()),
            "headers": [[header_name(n), b64(v)] for n, v in headers],
        })
    c.close()
    records.sort(key=lambda r: (r["partition"], r["offset"]))
    out = sys.stdout
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


def group_consumer(args, **extra):
    return Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        **extra,
    })


def commit(args):
    c = group_consumer(args)
    offsets = []
    for spec in args.offset:
        topic, partition, offset = spec.rsplit(":", 2)
        offsets.append(TopicPartition(topic, int(partition), int(offset)))
    for tp in c.commit(offsets=offsets, asynchronous=False):
        if tp.error is not None:
            fail(f"commit of {tp.topic}/{tp.partition}: {tp.error}")
    c.close()


def committed(args):
    c = group_consumer(args)
    partitions = topic_partitions(c, args.topic)
    for tp in sorted(c.committed([TopicPartition(args.topic, p) for p in partitions], timeout=30), key=lambda x: x.partition):
        if tp.offset >= 0:
            sys.stdout.write(json.dumps({"partition": tp.partition, "offset": tp.offset}) + "\n")
    c.close()


def group_read(args):
    c = group_consumer(args, **{"enable.partition.eof": True, "auto.offset.reset": "error"})
    partitions = topic_partitions(c, args.topic)
    ends = {p: c.get_watermark_offsets(TopicPartition(args.topic, p), timeout=30, cached=False)[1] for p in partitions}
    c.subscribe([args.topic])
    records = [{"partition": m.partition(), "offset": m.offset(), "key": b64(m.key()), "value": b64(m.value())}
               for m in messages_to_end(c, args.topic, ends, "group read")]
    c.close()
    records.sort(key=lambda r: (r["partition"], r["offset"]))
    for r in records:
        sys.stdout.write(json.dumps(r) + "\n")


def group_hold(args):
    import signal
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    c = group_consumer(args, **{"auto.offset.reset": "latest", "session.timeout.ms": 6000})

    def on_assign(consumer, partitions):
        sys.stdout.write(json.dumps({"assigned": [tp.partition for tp in partitions]}) + "\n")
        sys.stdout.flush()

    c.subscribe([args.topic], on_assign=on_assign)
    deadline = time.monotonic() + 10 * DEADLINE_S
    while not stop and time.monotonic() < deadline:
        c.poll(0.2)
    c.close()


def main():
    ap = argparse.ArgumentParser(prog="kcheck")
    sub = ap.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("produce")
    pp.add_argument("--bootstrap", required=True)
    pp.add_argument("--topic", required=True)
    pp.add_argument("--transactional-id")
    pp.add_argument("--producer", action="append", default=[])
    pp.add_argument("--compression", default="none", choices=["none", "gzip", "snappy", "lz4", "zstd"])
    pp.add_argument("--linger-ms", type=int, default=20)
    dp = sub.add_parser("dump")
    dp.add_argument("--bootstrap", required=True)
    dp.add_argument("--topic", required=True)
    dp.add_argument("--isolation", default="read_committed", choices=["read_committed", "read_uncommitted"])
    cp = sub.add_parser("commit")
    cp.add_argument("--bootstrap", required=True)
    cp.add_argument("--group", required=True)
    cp.add_argument("--offset", action="append", required=True)
    for name in ("committed", "group-read", "group-hold"):
        gp = sub.add_parser(name)
        gp.add_argument("--bootstrap", required=True)
        gp.add_argument("--group", required=True)
        gp.add_argument("--topic", required=True)
    args = ap.parse_args()
    {"produce": produce, "dump": dump, "commit": commit, "committed": committed, "group-read": group_read, "group-hold": group_hold}[args.cmd](args)


if __name__ == "__main__":
    main()
