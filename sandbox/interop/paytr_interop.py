"""Interoperability check: the community PyPI client `paytr-python` against the PayTR simulator.

The client's endpoint URLs are module constants; they are pointed at the simulator. The
client has no method for a first Direct API payment (its docs say card data must go from
the browser straight to PayTR), so the card is stored with a hand-built, hand-signed
`/odeme` POST; everything after that goes through the client:
recurring charge, card list and delete, refund, status query and callback verification.

Environment: PAYTR_BASE_URL, PAYTR_MERCHANT_ID, PAYTR_MERCHANT_KEY, PAYTR_MERCHANT_SALT,
NOTIFY_PORT (the port of the notification URL the simulator was started with).
Prints one line per check and a final `N passed, M failed`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import sys
import traceback

import aiohttp
from aiohttp import web

import paytr
import paytr.direct_api
import paytr.refund_api
import paytr.status_api
from paytr import PayTRAPIError, PayTRClient, PayTRSignatureError

BASE = os.environ["PAYTR_BASE_URL"].rstrip("/")
MERCHANT_ID = os.environ["PAYTR_MERCHANT_ID"]
MERCHANT_KEY = os.environ["PAYTR_MERCHANT_KEY"]
MERCHANT_SALT = os.environ["PAYTR_MERCHANT_SALT"]
NOTIFY_PORT = int(os.environ["NOTIFY_PORT"])

# Point the client at the simulator (never at paytr.com).
paytr.direct_api.DIRECT_PAYMENT_URL = f"{BASE}/odeme"
paytr.direct_api.CARD_LIST_URL = f"{BASE}/odeme/capi/list"
paytr.direct_api.CARD_DELETE_URL = f"{BASE}/odeme/capi/delete"
paytr.refund_api.REFUND_URL = f"{BASE}/odeme/iade"
paytr.status_api.STATUS_URL = f"{BASE}/odeme/durum-sorgu"

OFFICIAL_CARD = "4355084355084358"
TRY_AGAIN_CARD = "4355080000000096"  # stores fine, soft-declines as a stored card
USER_IP = "85.34.78.112"
RUN = os.urandom(4).hex().upper()

client = PayTRClient(
    merchant_id=MERCHANT_ID,
    merchant_key=MERCHANT_KEY,
    merchant_salt=MERCHANT_SALT,
    test_mode=True,
    debug_on=True,
)

callbacks: dict[str, list[paytr.Callback]] = {}
rejected_callbacks: list[str] = []
results: list[tuple[str, bool]] = []


async def on_payment(data: paytr.Callback) -> bool:
    callbacks.setdefault(data.merchant_oid, []).append(data)
    return True


async def notification(request: web.Request) -> web.Response:
    form = dict(await request.post())
    body, status = await client.handle_callback(form, on_payment)
    if status != 200:
        rejected_callbacks.append(f"{form.get('merchant_oid')}: {body}")
    return web.Response(text=body, status=status)


async def wait_for_callback(oid: str, timeout: float = 10.0) -> paytr.Callback:
    for _ in range(int(timeout / 0.05)):
        if oid in callbacks:
            return callbacks[oid][-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no verified callback for {oid}; rejected: {rejected_callbacks}")


def sign(*fields: str) -> str:
    message = "".join(fields) + MERCHANT_SALT
    return base64.b64encode(hmac.new(MERCHANT_KEY.encode(), message.encode(), hashlib.sha256).digest()).decode()


async def store_card(session: aiohttp.ClientSession, oid: str, card: str) -> tuple[str, str]:
    """The first payment storing the card: paytr-python has no method for it."""
    amount, installments, currency, test_mode, non_3d = "100.99", "0", "TL", "1", "1"
    email = "buyer@example.com"
    form = {
        "merchant_id": MERCHANT_ID, "user_ip": USER_IP, "merchant_oid": oid, "email": email,
        "payment_amount": amount, "payment_type": "card", "installment_count": installments,
        "currency": currency, "test_mode": test_mode, "non_3d": non_3d, "sync_mode": "1",
        "debug_on": "1", "store_card": "1", "client_lang": "tr",
        "paytr_token": sign(MERCHANT_ID, USER_IP, oid, email, amount, "card", installments,
                            currency, test_mode, non_3d),
        "merchant_ok_url": "https://shop.example/ok", "merchant_fail_url": "https://shop.example/fail",
        "user_name": "Ayse Yilmaz", "user_address": "Kadikoy, Istanbul", "user_phone": "05551112233",
        "user_basket": '[["Kitap","100.99",1]]',
        "cc_owner": "PAYTR TEST", "card_number": card, "expiry_month": "12", "expiry_year": "30",
        "cvv": "000",
    }
    async with session.post(f"{BASE}/odeme", data=form) as response:
        answer = await response.json(content_type=None)
    assert answer.get("status") == "success", answer
    return answer["utoken"], answer["ctoken"]


async def refund_when_notified(oid: str, amount: str, reference_no: str | None = None) -> dict:
    """Refunds answer err_no 007 until the merchant has answered the notification."""
    for _ in range(50):
        try:
            return await client.refund(merchant_oid=oid, return_amount=amount, reference_no=reference_no)
        except PayTRAPIError as error:
            if error.code != "007":
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("the notification was never acknowledged")


def recurring(oid: str, utoken: str, ctoken: str, amount: str = "49.90"):
    return client.recurring_payment(
        utoken=utoken, ctoken=ctoken, merchant_oid=oid, email="buyer@example.com",
        payment_amount=amount, user_ip=USER_IP, user_name="Ayse Yilmaz",
        user_address="Kadikoy, Istanbul", user_phone="05551112233",
        user_basket=[("Abonelik", amount, 1)],
        merchant_ok_url="https://shop.example/ok", merchant_fail_url="https://shop.example/fail",
    )


async def check(name: str, body) -> None:
    try:
        await body()
    except Exception:  # noqa: BLE001 - every failure is reported and counted
        results.append((name, False))
        print(f"FAIL {name}")
        traceback.print_exc()
    else:
        results.append((name, True))
        print(f"PASS {name}")


async def main() -> int:
    app = web.Application()
    app.router.add_post("/paytr/notify", notification)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", NOTIFY_PORT).start()

    state: dict[str, str] = {}
    session = aiohttp.ClientSession()

    async def stored_card_callback():
        oid = f"STORE{RUN}"
        utoken, ctoken = await store_card(session, oid, OFFICIAL_CARD)
        state.update(utoken=utoken, ctoken=ctoken)
        cb = await wait_for_callback(oid)
        assert cb.is_success and cb.is_test, cb
        assert cb.total_amount == "10099" and cb.paid_minor_units == 10099, cb
        assert cb.raw.get("utoken") == utoken, cb.raw

    async def list_cards():
        cards = await client.list_cards(state["utoken"])
        assert isinstance(cards, list) and len(cards) == 1, cards
        assert cards[0]["ctoken"] == state["ctoken"] and cards[0]["last_4"] == "4358", cards
        assert cards[0]["require_cvv"] == "0", cards

    async def recurring_charge():
        oid = f"REC{RUN}"
        answer = await recurring(oid, state["utoken"], state["ctoken"])
        assert answer["status"] == "success", answer
        cb = await wait_for_callback(oid)
        assert cb.is_success and cb.total_amount == "4990", cb
        state["rec_oid"] = oid

    async def recurring_soft_decline():
        utoken, ctoken = await store_card(session, f"SOFT{RUN}", TRY_AGAIN_CARD)
        try:
            await recurring(f"RECSOFT{RUN}", utoken, ctoken)
        except PayTRAPIError as error:
            assert error.payload.get("status") == "failed", error.payload
            assert error.payload.get("try_again") is True, error.payload
        else:
            raise AssertionError("the soft decline did not raise")
        cb = await wait_for_callback(f"RECSOFT{RUN}")
        assert not cb.is_success and cb.failed_reason_code == "0" and cb.total_amount == "0", cb.raw

    async def partial_refund():
        answer = await refund_when_notified(state["rec_oid"], "10.00", reference_no=f"IADE{RUN}")
        assert answer["status"] == "success" and answer["return_amount"] == "10.00", answer
        assert answer.get("reference_no") == f"IADE{RUN}", answer

    async def over_refund_refused():
        try:
            await client.refund(merchant_oid=state["rec_oid"], return_amount="40.00")
        except PayTRAPIError as error:
            assert error.code == "009", (error.code, error.payload)
        else:
            raise AssertionError("refunding more than was paid succeeded")

    async def status_query():
        answer = await client.status(state["rec_oid"])
        assert answer["status"] == "success", answer
        assert answer["payment_amount"].replace(",", ".") == "49.9", answer
        assert answer["test_mode"] == "1" and answer["currency"] == "TL", answer
        assert [r["reference_no"] for r in answer["returns"]] == [f"IADE{RUN}"], answer

    async def status_unknown_order():
        try:
            await client.status(f"NOSUCH{RUN}")
        except PayTRAPIError as error:
            assert error.code == "004", (error.code, error.payload)
        else:
            raise AssertionError("status of an unknown order succeeded")

    async def delete_card():
        answer = await client.delete_card(utoken=state["utoken"], ctoken=state["ctoken"])
        assert answer == {"status": "success"}, answer
        assert await client.list_cards(state["utoken"]) == [], "card still listed"
        try:
            await client.delete_card(utoken=state["utoken"], ctoken=state["ctoken"])
        except PayTRAPIError as error:
            assert "silinmiş" in error.message, error.message
        else:
            raise AssertionError("deleting twice succeeded")

    async def callback_verifier_rejects_tampering():
        cb = callbacks[f"STORE{RUN}"][-1]
        forged = dict(cb.raw, total_amount="1")
        try:
            client.parse_callback(forged)
        except PayTRSignatureError:
            pass
        else:
            raise AssertionError("a tampered callback verified")
        assert not rejected_callbacks, rejected_callbacks

    try:
        for name, body in [
            ("store card (hand-built /odeme) and verified callback", stored_card_callback),
            ("list_cards", list_cards),
            ("recurring_payment success and callback", recurring_charge),
            ("recurring_payment soft decline (try_again)", recurring_soft_decline),
            ("refund partial with reference_no", partial_refund),
            ("refund over the paid amount refused (009)", over_refund_refused),
            ("status query", status_query),
            ("status query of an unknown order (004)", status_unknown_order),
            ("delete_card", delete_card),
            ("parse_callback rejects a tampered callback", callback_verifier_rejects_tampering),
        ]:
            await check(name, body)
    finally:
        await session.close()
        await client.aclose()
        await runner.cleanup()

    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
