//! Postings: for each of a set of numbered strings (names, words), the entries that have it,
//! in ascending order, all in one array. The search index reads the entries of the few
//! strings a term matches instead of walking every entry.

/// `offsets[id]..offsets[id + 1]` is `id`'s range of `entries`.
#[derive(Default)]
pub struct Postings {
    offsets: Vec<u32>,
    entries: Vec<u32>,
}

impl Postings {
    /// From `(id, entry)` pairs, given twice (a counting pass, then a filling pass) so no
    /// pair list is held; `ids` is one past the largest id. Pairs given in ascending entry
    /// order give each id's entries in ascending order.
    pub fn build<I: Iterator<Item = (u32, u32)>>(ids: usize, pairs: impl Fn() -> I) -> Postings {
        let mut offsets = vec![0u32; ids + 1];
        for (id, _) in pairs() {
            offsets[id as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut entries = vec![0u32; offsets[ids] as usize];
        for (id, entry) in pairs() {
            let slot = &mut next[id as usize];
            entries[*slot as usize] = entry;
            *slot += 1;
        }
        Postings { offsets, entries }
    }

    /// `id`'s entries (none for an id out of range).
    pub fn get(&self, id: u32) -> &[u32] {
        let id = id as usize;
        match (self.offsets.get(id), self.offsets.get(id + 1)) {
            (Some(&start), Some(&end)) => &self.entries[start as usize..end as usize],
            _ => &[],
        }
    }

    pub fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.entries.capacity()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::Postings;

    #[test]
    fn each_id_lists_its_entries_in_order() {
        let pairs = [(2u32, 0u32), (0, 1), (2, 1), (2, 3), (0, 4)];
        let p = Postings::build(4, || pairs.iter().copied());
        assert_eq!(p.get(0), &[1, 4]);
        assert_eq!(p.get(1), &[] as &[u32]);
        assert_eq!(p.get(2), &[0, 1, 3]);
        assert_eq!(p.get(3), &[] as &[u32]);
        assert_eq!(p.get(99), &[] as &[u32]);
    }
}
