//! Registry cache area. Domain logic for this area lives beside the page, free of I/O and Leptos types.

mod page;

pub use page::CachePage;
