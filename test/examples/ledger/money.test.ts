import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_DIVISOR, dailyInterest } from '../../../examples/ledger/src/interest.ts';
import { accrualDay } from '../../../examples/ledger/src/interest-accrual.ts';
import {
  currencyExponent,
  formatMinor,
  MAX_MINOR,
  majorToMinor,
  parseMinor,
} from '../../../examples/ledger/src/money.ts';

test('each currency`s minor unit comes from ISO 4217, not an assumed cent', () => {
  assert.equal(currencyExponent('EUR'), 2);
  assert.equal(currencyExponent('JPY'), 0);
  assert.equal(currencyExponent('KWD'), 3);
  assert.equal(currencyExponent('CLF'), 4);
  for (const notMoney of ['XXX', 'XTS', 'XAU', 'ABC', 'eur', '']) assert.equal(currencyExponent(notMoney), undefined);
  assert.equal(majorToMinor(1000, 'EUR'), 100_000n);
  assert.equal(majorToMinor(1000, 'JPY'), 1000n);
  assert.equal(majorToMinor(1000, 'KWD'), 1_000_000n);
  assert.equal(formatMinor(123_456n, 'EUR'), '1,234.56 EUR');
  assert.equal(formatMinor(123_456n, 'JPY'), '123,456 JPY');
  assert.equal(formatMinor(-5n, 'KWD'), '-0.005 KWD');
  assert.equal(formatMinor(MAX_MINOR, 'EUR'), '92,233,720,368,547,758.07 EUR');
});

test('an amount is a string of digits up to 2^63 - 1, read exactly', () => {
  assert.equal(parseMinor('2500'), 2500n);
  assert.equal(parseMinor('0'), 0n);
  assert.equal(parseMinor('9223372036854775807'), MAX_MINOR);
  for (const bad of [
    '9223372036854775808',
    '99999.99999999999999999',
    '1e3',
    '-1',
    '+1',
    '01',
    ' 1',
    '1_000',
    '0x10',
    2500,
  ]) {
    assert.equal(parseMinor(bad), undefined, String(bad));
  }
});

test('interest is exact: below one minor unit a day it is carried, not lost (Actual/365 at 150 bps)', () => {
  // 100.00 EUR earns 1.50 EUR in a year: 0.0041 cents a day, paid as whole cents when they add up.
  let carry = 0n;
  let paid = 0n;
  for (let day = 0; day < 365; day++) {
    const result = dailyInterest(10_000n, 150, carry);
    paid += result.amount;
    carry = result.carry;
  }
  assert.equal(paid, 150n);
  assert.equal(carry, 0n);
  // 243.00 EUR, which the old float-and-floor code never paid, earns a cent on its second day.
  assert.deepEqual(dailyInterest(24_300n, 150, 0n), { amount: 0n, carry: 3_645_000n });
  assert.deepEqual(dailyInterest(24_300n, 150, 3_645_000n), { amount: 1n, carry: 3_640_000n });
  // Nothing on a balance at or below zero; the carry waits.
  assert.deepEqual(dailyInterest(-50_000n, 150, 12n), { amount: 0n, carry: 12n });
  assert.ok(dailyInterest(MAX_MINOR / 10_000n, 10_000, DAY_DIVISOR - 1n).amount > 0n);
});

test('a run accrues the UTC day that ended last', () => {
  assert.equal(accrualDay(new Date('2026-12-01T02:00:00Z')), '2026-11-30');
  assert.equal(accrualDay(new Date('2027-01-01T00:00:00Z')), '2026-12-31');
});
