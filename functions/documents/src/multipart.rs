//! multipart/form-data bodies.
