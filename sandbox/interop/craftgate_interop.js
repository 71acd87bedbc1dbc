// Drives the odeme Craftgate simulator with Craftgate's official Node client (npm
// `@craftgate/craftgate`): payments with item splits, stored cards, refunds, 3-D Secure and
// errors, with every request signed by the client and checked by the simulator.
//
// Environment: CG_BASE_URL, CG_API_KEY, CG_SECRET_KEY, CG_THREE_DS_CALLBACK_KEY.
// Prints one `ok - name` or `not ok - name: reason` line per check; exits 1 on any failure.

'use strict';

const http = require('http');
const crypto = require('crypto');
const Craftgate = require('@craftgate/craftgate');

const baseUrl = process.env.CG_BASE_URL;
const apiKey = process.env.CG_API_KEY;
const secretKey = process.env.CG_SECRET_KEY;
const callbackKey = process.env.CG_THREE_DS_CALLBACK_KEY || '';

const craftgate = new Craftgate.Client({apiKey, secretKey, baseUrl});
const checks = [];
const state = {};

function check(name, fn) {
  checks.push({name, fn});
}

function assert(condition, message) {
  if (!condition) {
    throw new Error(message || 'assertion failed');
  }
}

function newCard(number = '5258640000000001', extra = {}) {
  return {cardHolderName: 'Haluk Demir', cardNumber: number, expireYear: '2044', expireMonth: '07', cvc: '000', ...extra};
}

function splitPayment(card, paymentPhase = 'AUTH') {
  return {
    price: 100,
    paidPrice: 110,
    walletPrice: 0,
    installment: 1,
    currency: Craftgate.Model.Currency.TRY,
    paymentGroup: Craftgate.Model.PaymentGroup.LISTING_OR_SUBSCRIPTION,
    paymentPhase,
    conversationId: crypto.randomUUID(),
    externalId: 'node-ext',
    card,
    items: [
      {name: 'Pharmaton', price: 30, externalId: 'i1', subMerchantMemberId: 1, subMerchantMemberPrice: 27},
      {name: 'Own', price: 70, externalId: 'i2'}
    ]
  };
}

async function expectError(promise, test) {
  try {
    await promise;
  } catch (error) {
    assert(error instanceof Craftgate.CraftgateError, `not a CraftgateError: ${error}`);
    test(error);
    return;
  }
  throw new Error('no error');
}

function fetchText(url) {
  return new Promise((resolve, reject) => {
    http.get(url, response => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', chunk => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function formOf(html) {
  const action = (html.match(/<form[^>]*action="([^"]*)"/) || [])[1];
  const fields = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[match[1]] = match[2];
  }
  return {action, fields};
}

check('create a payment with item splits', async () => {
  const payment = await craftgate.payment().createPayment(splitPayment(newCard()));
  assert(payment.paymentStatus === 'SUCCESS', payment.paymentStatus);
  assert(payment.paidPrice === 110, `paidPrice ${payment.paidPrice}`);
  const [first] = payment.paymentTransactions;
  assert(payment.paymentTransactions.length === 2);
  assert(first.subMerchantMemberId === 1);
  assert(first.paidPrice === 33 && first.subMerchantMemberPayoutAmount === 29.7 && first.merchantPayoutAmount === 2.97,
    JSON.stringify(first));
  state.payment = payment;
});

check('retrieve the payment', async () => {
  const payment = await craftgate.payment().retrievePayment(state.payment.id);
  assert(payment.id === state.payment.id && payment.paymentStatus === 'SUCCESS');
});

check('store a card', async () => {
  const card = await craftgate.payment().storeCard({
    cardHolderName: 'Haluk Demir', cardNumber: '5258640000000001', expireYear: '2044', expireMonth: '07', cardAlias: 'node card'
  });
  assert(card.cardUserKey && card.cardToken, JSON.stringify(card));
  assert(card.binNumber === '525864' && card.lastFourDigits === '0001');
  state.card = card;
});

check('pay with the stored card', async () => {
  const {cardUserKey, cardToken} = state.card;
  const payment = await craftgate.payment().createPayment(splitPayment({cardUserKey, cardToken}));
  assert(payment.paymentStatus === 'SUCCESS' && payment.paidWithStoredCard === true);
  state.storedPayment = payment;
});

check('store a card after a successful payment', async () => {
  const card = newCard('5258640000000001', {storeCardAfterSuccessPayment: true, cardUserKey: state.card.cardUserKey});
  const payment = await craftgate.payment().createPayment(splitPayment(card));
  assert(payment.cardUserKey === state.card.cardUserKey && payment.cardToken && payment.cardToken !== state.card.cardToken);
});

check('search stored cards', async () => {
  const found = await craftgate.payment().searchStoredCards({cardUserKey: state.card.cardUserKey});
  assert(found.totalSize === 2, `totalSize ${found.totalSize}`);
  assert(found.items.some(card => card.cardToken === state.card.cardToken));
});

check('refund a payment (same day: cancel)', async () => {
  const refund = await craftgate.payment().refundPayment({paymentId: state.payment.id, conversationId: 'node-refund'});
  assert(refund.status === 'SUCCESS' && refund.refundType === 'CANCEL' && refund.refundPrice === 110, JSON.stringify(refund));
});

check('refund one item', async () => {
  const tx = state.storedPayment.paymentTransactions[1];
  const refund = await craftgate.payment().refundPaymentTransaction({paymentTransactionId: tx.id, refundPrice: 10.5});
  assert(refund.status === 'SUCCESS' && refund.refundPrice === 10.5 && refund.paymentTransactionId === tx.id);
});

check('an item refund above what remains is refused', async () => {
  const tx = state.storedPayment.paymentTransactions[1];
  await expectError(craftgate.payment().refundPaymentTransaction({paymentTransactionId: tx.id, refundPrice: 1000}),
    error => assert(error.getErrorCode() === '5103', error.getErrorCode()));
});

check('pre-auth then post-auth', async () => {
  const payment = await craftgate.payment().createPayment(splitPayment(newCard(), 'PRE_AUTH'));
  assert(payment.paymentPhase === 'PRE_AUTH');
  const captured = await craftgate.payment().postAuthPayment(payment.id, {paidPrice: 100});
  assert(captured.paymentPhase === 'POST_AUTH');
});

check('a sandbox error card declines with its error group', async () => {
  await expectError(craftgate.payment().createPayment(splitPayment(newCard('5100050000006661'))), error => {
    assert(error.getErrorCode() === '10051', error.getErrorCode());
    assert(error.getErrorData().errorGroup === 'NOT_SUFFICIENT_FUNDS', JSON.stringify(error.getErrorData()));
  });
});

check('a wrong secret key is refused', async () => {
  const bad = new Craftgate.Client({apiKey, secretKey: 'wrong', baseUrl});
  await expectError(bad.payment().retrievePayment(state.payment.id),
    error => assert(error.getErrorCode() === '1002', error.getErrorCode()));
});

check('3-D Secure: init, bank page, verified callback hash, complete', async () => {
  const init = await craftgate.payment().init3DSPayment({
    price: 100, paidPrice: 100, walletPrice: 0, installment: 1, currency: 'TRY', conversationId: crypto.randomUUID(),
    card: newCard(), callbackUrl: 'https://merchant.example/cb', items: [{name: 'a', price: 100}]
  });
  assert(init.paymentStatus === 'INIT_THREEDS');
  const page = formOf(Buffer.from(init.htmlContent, 'base64').toString('utf8'));
  const callback = formOf(await fetchText(`${page.action}?result=success`));
  assert(callback.action === 'https://merchant.example/cb', callback.action);
  assert(await craftgate.payment().is3DSecureCallbackVerified(callbackKey, callback.fields), 'hash not verified');
  assert(!(await craftgate.payment().is3DSecureCallbackVerified('wrong-key', callback.fields)));
  const done = await craftgate.payment().complete3DSPayment({paymentId: init.paymentId});
  assert(done.paymentStatus === 'SUCCESS');
});

check('installments and BIN lookup', async () => {
  const found = await craftgate.installment().searchInstallments({binNumber: '525864', price: 100, currency: 'TRY'});
  assert(found.items[0].binNumber === '525864' && found.items[0].installmentPrices.length > 1);
  const bin = await craftgate.installment().retrieveBinNumber('525864');
  assert(bin.cardAssociation === 'MASTER_CARD', JSON.stringify(bin));
});

check('delete the stored card', async () => {
  const {cardUserKey, cardToken} = state.card;
  await craftgate.payment().deleteStoredCard({cardUserKey, cardToken});
  const left = await craftgate.payment().searchStoredCards({cardUserKey});
  assert(left.totalSize === 1, `totalSize ${left.totalSize}`);
});

(async () => {
  let failures = 0;
  for (const {name, fn} of checks) {
    try {
      await fn();
      console.log(`ok - node: ${name}`);
    } catch (error) {
      failures += 1;
      const detail = error && error.getErrorCode ? `${error.getErrorCode()} ${error.message}` : String(error && error.stack || error);
      console.log(`not ok - node: ${name}: ${detail.split('\n')[0]}`);
    }
  }
  process.exit(failures ? 1 : 0);
})();
