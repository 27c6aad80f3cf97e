/** The CSV writer: RFC 4180 quoting, formula guards on text (not on numbers), a UTF-8 BOM. */
import { describe, expect, it } from 'vitest';
import { cell, toCsv } from './csv.ts';

describe('csv', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(cell('plain')).toBe('plain');
    expect(cell('a,b')).toBe('"a,b"');
    expect(cell('say "hi"')).toBe('"say ""hi"""');
    expect(cell('two\nlines')).toBe('"two\nlines"');
    expect(cell(null)).toBe('');
    expect(cell(undefined)).toBe('');
    expect(cell(true)).toBe('true');
    expect(cell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('guards text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(cell('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
    expect(cell('+91 98765')).toBe("'+91 98765");
    expect(cell('-cmd')).toBe("'-cmd");
    expect(cell('@foo')).toBe("'@foo");
    expect(cell('\tx')).toBe("'\tx");
    expect(cell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(cell(-500)).toBe('-500');
  });

  it('writes a header of every key, CRLF line ends and a byte-order mark', () => {
    const csv = toCsv([
      { a: 1, b: 'x' },
      { a: 2, c: 'y' },
    ]);
    expect(csv).toBe('\uFEFFa,b,c\r\n1,x,\r\n2,,y\r\n');
  });
});
