//! Static analysis of a document that needs no packet: facts the playground shows next to
//! rules (a shadowed NACL entry) and the lints build on.
