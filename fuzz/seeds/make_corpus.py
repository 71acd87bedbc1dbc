#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into corpus/<target>/ from the recorded
provider answers (paytrek/tests/fixtures), the answer shapes and official test vectors of
shared/provider-notes, and signed notifications made with the targets' own keys."""
import base64, hashlib, hmac, json, pathlib, urllib.parse

root = pathlib.Path(__file__).resolve().parents[2]
out = root / "fuzz" / "corpus"

def write(target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())

# money: a currency pick byte, then the text.
for i, text in enumerate(["100.50", "0.01", "1,000.00", "12345678901234567890", "1e5", "-1",
                          " 7 ", "100.505", "٣", "0", "99999999999.99", ".5", "5."]):
    write("money", f"seed{i}", bytes([i % 5]) + text.encode())

# card: numbers (official test cards), expiries, CVCs, e-mails, phones.
for i, text in enumerate(["4355 0843 5508 4358", "5890040000000016", "4111-1111-1111-1111",
                          "12/30", "1230", "12/2030", "1é1", "123", "0000", "a@b.co",
                          "+905350000000", "85.34.78.112", "https://example.com/ok"]):
    write("card", f"seed{i}", text)

# provider_answers: pick (adapter = pick % 3, operation = pick / 3), status, content type.
answers = [p.read_bytes() for p in sorted((root / "paytrek/tests/fixtures").glob("*.json"))]
answers += [s.encode() for s in [
    '{"data":{"id":1,"price":100.0,"paidPrice":100.0,"currency":"TRY","installment":1,'
    '"conversationId":"FUZZ-ORDER-1","paymentStatus":"SUCCESS","binNumber":"435508",'
    '"lastFourDigits":"4358","cardType":"CREDIT_CARD","paymentTransactions":[{"id":1,'
    '"externalId":"ITEM1","transactionStatus":"APPROVED","price":100,"paidPrice":100}]}}',
    '{"errors":{"errorCode":"10051","errorDescription":"Kart limiti yetersiz","errorGroup":"NOT_SUFFICIENT_FUNDS"}}',
    '{"status":"success","token":"abc"}', '{"status":"failed","reason":"paytr_token gonderilmedi"}',
    '{"status":"success","payment_amount":"100.50","payment_total":"100.50","currency":"TL"}',
    '{"status":"error","err_msg":"Kart yok veya daha önce silinmiş"}', '{"status":"wait_callback"}',
    '[' * 200, '{"a":' * 64 + '1' + '}' * 64, '\xff\xfe',
]]
n = 0
for body in answers:
    for pick in range(24):
        write("provider_answers", f"seed{n}", bytes([pick, 0, 0]) + body)
        n += 1

# paytr_notification: mode byte, then fields; arbitrary reads strings length-prefixed, so a
# well-formed raw notification rides at the end as the raw body.
def paytr_hash(oid, status, total):
    mac = hmac.new(b"FuzzMerchantKey1", f"{oid}FuzzMerchantSalt{status}{total}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()
for i, (oid, status, total) in enumerate([("ORDER1", "success", "10050"), ("ORDER2", "failed", "0")]):
    form = urllib.parse.urlencode({"merchant_oid": oid, "status": status, "total_amount": total,
                                   "hash": paytr_hash(oid, status, total), "test_mode": "1"})
    write("paytr_notification", f"seed{i}", bytes([i]) + form.encode())

# craftgate_webhook: a signed webhook body.
def cg_sig(*fields):
    return base64.b64encode(hmac.new(b"fuzz-webhook-key", "".join(fields).encode(), hashlib.sha256).digest()).decode()
fields = ("API_AUTH", "1700000000000", "SUCCESS", "123")
body = json.dumps(dict(zip(["eventType", "eventTimestamp", "status", "payloadId"], fields)))
write("craftgate_webhook", "seed0", bytes([0]) + body.encode())
write("craftgate_webhook", "seed1", bytes([1]) + cg_sig(*fields).encode())

# craftgate_three_ds_callback: a signed callback form.
values = ["SUCCESS", "WAITING", "123", "cd", "FUZZ-ORDER-1", "THREEDS_VERIFY"]
digest = hashlib.sha256("###".join(["fuzz-callback-key"] + values).encode()).hexdigest()
names = ["status", "completeStatus", "paymentId", "conversationData", "conversationId", "callbackStatus"]
form = urllib.parse.urlencode(dict(zip(names, values)) | {"hash": digest})
write("craftgate_three_ds_callback", "seed0", bytes([0]) + form.encode())
# sandbox_requests: route pick, a path parameter (length-prefixed by arbitrary), a body.
bodies = [p.read_bytes() for p in sorted((root / "paytrek/tests/fixtures").glob("*.json"))][:4]
bodies += [b'{"price":100,"paidPrice":100,"currency":"TRY","installment":1,"card":{"cardNumber":"5258640000000001"}}',
           b"merchant_id=100001&merchant_oid=O1&payment_amount=100.50&paytr_token=x", b"", b"{" * 300]
n = 0
for pick in range(43):
    for body in bodies:
        write("sandbox_requests", f"seed{n}", bytes([pick]) + b"1" + body)
        n += 1
# cli_profile: a mode byte, then profile text (arbitrary splits the rest into two strings).
profile = (root / "cli" / "README.md").read_text(errors="replace")
start = profile.find("# odeme profile for the local sandbox")
sample = profile[start:start + 1200] if start >= 0 else 'provider = "paytr"\n'
for i, text in enumerate([sample, 'provider = "paytr"\n[router]\nstrategy = "failover"\ngateways = ["paytr"]\n',
                          "[paytr\nmerchant_key = 1", 'x = "\\u{0}"', "= = ="]):
    write("cli_profile", f"seed{i}", bytes([i]) + text.encode())
print(f"corpus written to {out}")
