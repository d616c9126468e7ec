#![allow(dead_code)] // each test binary uses part of it

/// A garage invoice in French.
pub const INVOICE: &[&str] = &[
    "GARAGE DUPONT - 12 rue des Lilas, 69003 Lyon",
    "FACTURE N° 2026-0142",
    "Date : 14/03/2026",
    "Véhicule : Peugeot 208 - AB-123-CD",
    "Vidange moteur + filtre à huile 89,90 €",
    "Plaquettes de frein avant 68,35 €",
    "Total HT 158,25 €",
    "TVA 20 % 31,65 €",
    "Total TTC 189,90 €",
    "Réglé par carte bancaire, reçu à conserver.",
];

/// Deterministic noise (xorshift64).
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
