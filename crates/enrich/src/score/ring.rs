//! A fixed-capacity ring of the most recent values. It is the only kind of history the
//! scorer keeps, so a visitor's state has the same size after ten events as after ten
//! million.

/// The last `N` values pushed; older ones are overwritten.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ring<T, const N: usize> {
    items: [T; N],
    /// Where the next value goes.
    next: usize,
    /// How many slots hold a value (at most `N`).
    len: usize,
}

impl<T: Copy + Default, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Self {
            items: [T::default(); N],
            next: 0,
            len: 0,
        }
    }
}

impl<T: Copy, const N: usize> Ring<T, N> {
    /// Adds `item`, forgetting the oldest value when the ring is full.
    pub(crate) fn push(&mut self, item: T) {
        self.items[self.next] = item;
        self.next = (self.next + 1) % N;
        self.len = (self.len + 1).min(N);
    }

    /// How many values the ring holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The values, newest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (1..=self.len).map(move |back| self.items[(self.next + N - back) % N])
    }

    /// The value pushed last.
    pub(crate) fn newest(&self) -> Option<T> {
        self.iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;

    #[test]
    fn a_full_ring_keeps_the_newest_values_newest_first() {
        let mut ring = Ring::<u32, 3>::default();
        assert_eq!(ring.newest(), None);
        for v in 1..=5 {
            ring.push(v);
        }
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.iter().collect::<Vec<_>>(), vec![5, 4, 3]);
    }
}
