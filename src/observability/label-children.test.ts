import { describe, expect, it } from 'vitest';
import { LabelledChildren, OTHER_LABEL } from './label-children.js';

describe('labelled children memo', () => {
  it('resolves each label set once and returns the same child afterwards', () => {
    const resolved: string[][] = [];
    const children = new LabelledChildren(3, (values) => {
      resolved.push(values);
      return { values };
    });
    const first = children.get('openai', 'openai/gpt-4o-mini', 'ok');
    expect(children.get('openai', 'openai/gpt-4o-mini', 'ok')).toBe(first);
    expect(children.get('openai', 'openai/gpt-4o-mini', 'error')).not.toBe(first);
    expect(resolved).toEqual([
      ['openai', 'openai/gpt-4o-mini', 'ok'],
      ['openai', 'openai/gpt-4o-mini', 'error'],
    ]);
  });

  it('does not confuse label sets whose joined text would collide', () => {
    const children = new LabelledChildren(2, (values) => values.join('|'));
    expect(children.get('a', 'bc')).toBe('a|bc');
    expect(children.get('ab', 'c')).toBe('ab|c');
  });

  it('folds label sets past the limit into one all-other child and normalises empty and long values', () => {
    const children = new LabelledChildren(2, (values) => values, 2);
    expect(children.get('', 'x'.repeat(500))).toEqual([OTHER_LABEL, 'x'.repeat(100)]);
    children.get('b', 'b');
    const overflow = children.get('c', 'c');
    expect(overflow).toEqual([OTHER_LABEL, OTHER_LABEL]);
    expect(children.get('d', 'd')).toBe(overflow);
    expect(children.size).toBe(3);
  });
});
