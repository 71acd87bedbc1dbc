"""Drives the odeme Craftgate simulator with Craftgate's official Python client (PyPI
`craftgate`): payments with item splits, stored cards, refunds, 3-D Secure and errors, with
every request signed by the client and checked by the simulator.

Environment: CG_BASE_URL, CG_API_KEY, CG_SECRET_KEY, CG_THREE_DS_CALLBACK_KEY.
Prints one `ok - name` or `not ok - name: reason` line per check; exits 1 on any failure.
"""

import html.parser
import os
import sys
import traceback
import urllib.request
import uuid
from decimal import Decimal

from craftgate import Craftgate, RequestOptions
from craftgate.exception.api_exception import CraftgateException
from craftgate.model.currency import Currency
from craftgate.model.payment_group import PaymentGroup
from craftgate.model.payment_phase import PaymentPhase
from craftgate.request.common.header_options import HeaderOptions
from craftgate.request.complete_three_ds_payment_request import CompleteThreeDSPaymentRequest
from craftgate.request.create_payment_request import CreatePaymentRequest
from craftgate.request.delete_stored_card_request import DeleteStoredCardRequest
from craftgate.request.dto.card import Card
from craftgate.request.dto.payment_item import PaymentItem
from craftgate.request.init_three_ds_payment_request import InitThreeDSPaymentRequest
from craftgate.request.post_auth_payment_request import PostAuthPaymentRequest
from craftgate.request.refund_payment_request import RefundPaymentRequest
from craftgate.request.refund_payment_transaction_request import RefundPaymentTransactionRequest
from craftgate.request.search_installments_request import SearchInstallmentsRequest
from craftgate.request.search_stored_cards_request import SearchStoredCardsRequest
from craftgate.request.store_card_request import StoreCardRequest

BASE_URL = os.environ["CG_BASE_URL"]
API_KEY = os.environ["CG_API_KEY"]
SECRET_KEY = os.environ["CG_SECRET_KEY"]
CALLBACK_KEY = os.environ.get("CG_THREE_DS_CALLBACK_KEY", "")

client = Craftgate(RequestOptions(api_key=API_KEY, secret_key=SECRET_KEY, base_url=BASE_URL))
failures = 0


def text(value):
    """An enum's wire value, or the value itself."""
    return getattr(value, "value", value)


def check(name):
    def wrap(fn):
        global failures
        try:
            fn()
            print("ok - python: " + name, flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported, not raised
            failures += 1
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            print("not ok - python: {}: {}".format(name, detail), flush=True)
        return fn
    return wrap


def new_card(number="5258640000000001", **extra):
    return Card(card_holder_name="Haluk Demir", card_number=number, expire_year="2044",
                expire_month="07", cvc="000", **extra)


def split_payment(card, conversation_id=None, phase=PaymentPhase.AUTH):
    return CreatePaymentRequest(
        price=Decimal("100"), paid_price=Decimal("110"), installment=1, currency=Currency.TRY,
        payment_group=PaymentGroup.LISTING_OR_SUBSCRIPTION, payment_phase=phase,
        conversation_id=conversation_id or str(uuid.uuid4()), external_id="py-ext", card=card,
        items=[
            PaymentItem(name="Pharmaton", price=Decimal("30"), external_id="i1",
                        sub_merchant_member_id=1, sub_merchant_member_price=Decimal("27")),
            PaymentItem(name="Own", price=Decimal("70"), external_id="i2"),
        ])


state = {}


@check("create a payment with item splits")
def _():
    response = client.payment().create_payment(split_payment(new_card()))
    assert text(response.payment_status) == "SUCCESS", response.payment_status
    assert Decimal(str(response.paid_price)) == Decimal("110")
    txs = response.payment_transactions
    assert len(txs) == 2
    first = txs[0]
    assert first.sub_merchant_member_id == 1
    assert Decimal(str(first.paid_price)) == Decimal("33"), first.paid_price
    assert Decimal(str(first.sub_merchant_member_payout_amount)) == Decimal("29.7")
    assert Decimal(str(first.merchant_payout_amount)) == Decimal("2.97")
    state["payment"] = response


@check("retrieve the payment")
def _():
    response = client.payment().retrieve_payment(state["payment"].id)
    assert response.id == state["payment"].id
    assert text(response.payment_status) == "SUCCESS"


@check("store a card")
def _():
    response = client.payment().store_card(StoreCardRequest(
        card_holder_name="Haluk Demir", card_number="5258640000000001", expire_year="2044",
        expire_month="07", card_alias="python card"))
    assert response.card_user_key and response.card_token
    assert response.bin_number == "525864" and response.last_four_digits == "0001"
    state["card"] = response


@check("pay with the stored card")
def _():
    stored = state["card"]
    response = client.payment().create_payment(
        split_payment(Card(card_user_key=stored.card_user_key, card_token=stored.card_token)))
    assert text(response.payment_status) == "SUCCESS"
    assert response.paid_with_stored_card is True
    state["stored_payment"] = response


@check("store a card after a successful payment")
def _():
    card = new_card(store_card_after_success_payment=True, card_user_key=state["card"].card_user_key)
    response = client.payment().create_payment(split_payment(card))
    assert response.card_user_key == state["card"].card_user_key
    assert response.card_token and response.card_token != state["card"].card_token


@check("search stored cards")
def _():
    response = client.payment().search_stored_cards(
        SearchStoredCardsRequest(card_user_key=state["card"].card_user_key))
    assert response.total_size == 2, response.total_size
    assert {c.card_token for c in response.items} >= {state["card"].card_token}


@check("refund a payment (same day: cancel)")
def _():
    response = client.payment().refund_payment(
        RefundPaymentRequest(payment_id=state["payment"].id, conversation_id="py-refund"))
    assert text(response.status) == "SUCCESS"
    assert text(response.refund_type) == "CANCEL"
    assert Decimal(str(response.refund_price)) == Decimal("110")


@check("refund one item")
def _():
    tx = state["stored_payment"].payment_transactions[1]
    response = client.payment().refund_payment_transaction(
        RefundPaymentTransactionRequest(payment_transaction_id=tx.id, refund_price=Decimal("10.5")))
    assert text(response.status) == "SUCCESS"
    assert Decimal(str(response.refund_price)) == Decimal("10.5")
    assert response.payment_transaction_id == tx.id


@check("an item refund above what remains is refused")
def _():
    tx = state["stored_payment"].payment_transactions[1]
    try:
        client.payment().refund_payment_transaction(
            RefundPaymentTransactionRequest(payment_transaction_id=tx.id, refund_price=Decimal("1000")))
    except CraftgateException as error:
        assert error.error_code == "5103", error
        return
    raise AssertionError("no error")


@check("pre-auth then post-auth")
def _():
    response = client.payment().create_payment(split_payment(new_card(), phase=PaymentPhase.PRE_AUTH))
    assert text(response.payment_phase) == "PRE_AUTH"
    captured = client.payment().post_auth_payment(response.id, PostAuthPaymentRequest(paid_price=Decimal("100")))
    assert text(captured.payment_phase) == "POST_AUTH"


@check("a sandbox error card declines with its error group")
def _():
    try:
        client.payment().create_payment(split_payment(new_card("5100050000006661")))
    except CraftgateException as error:
        assert error.error_group == "NOT_SUFFICIENT_FUNDS", error
        assert error.error_code == "10051", error
        return
    raise AssertionError("no decline")


@check("a wrong secret key is refused")
def _():
    bad = Craftgate(RequestOptions(api_key=API_KEY, secret_key="wrong", base_url=BASE_URL))
    try:
        bad.payment().retrieve_payment(state["payment"].id)
    except CraftgateException as error:
        assert error.error_code == "1002", error
        return
    raise AssertionError("accepted a bad signature")


@check("the same idempotency key charges once")
def _():
    key = HeaderOptions(idempotency_key=str(uuid.uuid4()))
    conversation = str(uuid.uuid4())
    first = client.payment().create_payment(split_payment(new_card(), conversation).with_header_options(key))
    second = client.payment().create_payment(split_payment(new_card(), conversation).with_header_options(key))
    assert first.id == second.id


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")


@check("3-D Secure: init, bank page, verified callback hash, complete")
def _():
    request = InitThreeDSPaymentRequest(
        price=Decimal("100"), paid_price=Decimal("100"), installment=1, currency=Currency.TRY,
        conversation_id=str(uuid.uuid4()), card=new_card(), callback_url="https://merchant.example/cb",
        items=[PaymentItem(name="a", price=Decimal("100"))])
    init = client.payment().init_3ds_payment(request)
    assert text(init.payment_status) == "INIT_THREEDS"
    import base64
    page = base64.b64decode(init.html_content).decode("utf-8")
    parser = FormParser()
    parser.feed(page)
    with urllib.request.urlopen(parser.action + "?result=success") as answer:
        callback = FormParser()
        callback.feed(answer.read().decode("utf-8"))
    assert callback.action == "https://merchant.example/cb"
    assert client.payment().is_3d_secure_callback_verified(CALLBACK_KEY, callback.fields)
    assert not client.payment().is_3d_secure_callback_verified("wrong-key", callback.fields)
    done = client.payment().complete_3ds_payment(CompleteThreeDSPaymentRequest(payment_id=init.payment_id))
    assert text(done.payment_status) == "SUCCESS"


@check("installments and BIN lookup")
def _():
    found = client.installment().search_installments(
        SearchInstallmentsRequest(bin_number="525864", price=Decimal("100"), currency=Currency.TRY))
    assert found.items[0].bin_number == "525864"
    assert len(found.items[0].installment_prices) > 1
    info = client.installment().retrieve_bin_number("525864")
    assert text(info.card_association) == "MASTER_CARD"


@check("delete the stored card")
def _():
    stored = state["card"]
    client.payment().delete_stored_card(
        DeleteStoredCardRequest(card_user_key=stored.card_user_key, card_token=stored.card_token))
    left = client.payment().search_stored_cards(SearchStoredCardsRequest(card_user_key=stored.card_user_key))
    assert left.total_size == 1, left.total_size


sys.exit(1 if failures else 0)
