//! Work in batches that overlaps: the next batch is made on the thread pool while the last one
//! is written. A leaf.

/// Calls `consume` with `make(0)`, `make(1)`, … `make(count - 1)` in order, making each next
/// batch on the pool while the one before is consumed; stops at the first error.
pub(crate) fn overlapped<T: Send, E: Send>(
    count: usize,
    make: impl Fn(usize) -> Result<T, E> + Sync,
    mut consume: impl FnMut(T) -> Result<(), E> + Send,
) -> Result<(), E> {
    if count == 0 {
        return Ok(());
    }
    let mut next = make(0)?;
    for k in 1..=count {
        let batch = next;
        let (consumed, made) = rayon::join(
            || consume(batch),
            || (k < count).then(|| make(k)).transpose(),
        );
        consumed?;
        match made? {
            Some(made) => next = made,
            None => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_consumed_in_order_and_errors_stop_the_work() {
        let mut seen = Vec::new();
        overlapped(
            4,
            |k| Ok::<_, String>(k * 10),
            |b| {
                seen.push(b);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, [0, 10, 20, 30]);
        let failed = overlapped(
            4,
            |k| {
                if k == 2 {
                    Err(format!("batch {k}"))
                } else {
                    Ok(k)
                }
            },
            |_| Ok(()),
        );
        assert_eq!(failed, Err("batch 2".to_string()));
        assert_eq!(
            overlapped(0, |_| Err::<(), _>("never made"), |_| Ok(())),
            Ok(())
        );
    }
}
