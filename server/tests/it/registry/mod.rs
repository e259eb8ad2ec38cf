//! Support shared by the registry tests.
#![allow(dead_code)]

pub mod compare;
pub mod fixtures;
