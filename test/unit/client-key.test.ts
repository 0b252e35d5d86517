import { describe, expect, it } from 'vitest';
import { clientKeyOf } from '../../src/domain/sessions/attempt-limiter.js';

describe('clientKeyOf', () => {
  it('limits IPv4 per address, wherever an IPv6 address carries one', () => {
    expect(clientKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('64:ff9b::203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('64:ff9b::cb00:7107')).toBe('203.0.113.7');
    expect(clientKeyOf('64:ff9b::1.2.3.4')).not.toBe(clientKeyOf('64:ff9b::5.6.7.8'));
  });

  it('drops a port some proxies append', () => {
    expect(clientKeyOf('203.0.113.7:5678')).toBe('203.0.113.7');
    expect(clientKeyOf('[2001:db8:85a3:8d3::1]:443')).toBe('2001:db8:85a3:8d3::/64');
  });

  it('limits IPv6 per /64, however the address is written', () => {
    const key = '2001:db8:85a3:8d3::/64';
    expect(clientKeyOf('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe(key);
    expect(clientKeyOf('2001:0db8:85a3:08d3:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientKeyOf('2001:db8:85a3:8d3::1')).toBe(key);
    expect(clientKeyOf('2001:DB8:85A3:8D3::')).toBe(key);
    expect(clientKeyOf('2001:db8:85a3:8d4::1')).not.toBe(key);
  });

  it('expands the :: shorthand wherever it stands', () => {
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(clientKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKeyOf('2001:db8::8a2e:370:7334')).toBe('2001:db8:0:0::/64');
  });
});
