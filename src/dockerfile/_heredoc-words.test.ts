import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { heredocWords } from './_heredoc-words.js';

const raw = { rawQuotes: true, rawEscapes: true };
const plain = { rawQuotes: false, rawEscapes: false };

describe('heredoc word splitting', () => {
  it('keeps the blanks after << inside the word', () => {
    assert.deepEqual(heredocWords('RUN << EOF x', raw), ['RUN', '<< EOF', 'x']);
    assert.deepEqual(heredocWords('RUN <<- EOF', raw), ['RUN', '<<-', 'EOF']);
  });

  it('keeps or drops quotes and escapes by mode', () => {
    assert.deepEqual(heredocWords(`a "b c" 'd e' f\\ g`, raw), ['a', '"b c"', "'d e'", 'f\\ g']);
    assert.deepEqual(heredocWords(`a "b c" 'd e' f\\ g`, plain), ['a', 'b c', 'd e', 'f g']);
  });

  it('leaves variables in place (an empty environment with unset names kept)', () => {
    assert.deepEqual(heredocWords('$A ${B} ${C:-d} $1 $', plain), ['$A', '${B}', '${C:-d}', '$1', '$']);
  });

  it('reproduces the lexer clearing the current word at a nested ${…:-…}', () => {
    assert.deepEqual(heredocWords('<<EOF${x:-y}', raw), ['${x:-y}']);
  });

  it('drops a byte-order mark at the start of the input, as Go\'s text/scanner does', () => {
    assert.deepEqual(heredocWords('\ufeff', plain), []);
    assert.deepEqual(heredocWords('\ufeffa \ufeffb', plain), ['a', '\ufeffb']);
  });

  it('fails on unbalanced quotes and substitutions with the lexer\'s messages', () => {
    assert.throws(() => heredocWords("'EOF", plain), { message: 'failed to process "\'EOF": unexpected end of statement while looking for matching single-quote' });
    assert.throws(() => heredocWords('${', plain), /syntax error: missing '}'/);
    assert.throws(() => heredocWords('${:}', plain), /bad substitution/);
  });
});
