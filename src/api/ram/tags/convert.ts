import type { Tag, TagFilter } from '../../../domain/index.js';
import type { TagFilterParam, TagParam } from '../../params.js';

export const toTags = (tags: readonly TagParam[] | undefined): readonly Tag[] | undefined =>
  tags?.map((t) => ({ tagKey: t.Key, tagValue: t.Value }));

export const toTagFilters = (tags: readonly TagFilterParam[] | undefined): readonly TagFilter[] | undefined =>
  tags?.map((t) => (t.Value === undefined ? { tagKey: t.Key } : { tagKey: t.Key, tagValue: t.Value }));
