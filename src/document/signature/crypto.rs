//! Digests and public-key signature verification (RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256/P-384).

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912 as oid;
use der::{Decode, Encode};
use rsa::pkcs8::DecodePublicKey;
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// A digest algorithm this module accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DigestAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    pub(crate) fn from_oid(id: &ObjectIdentifier) -> Option<Self> {
        match *id {
            oid::ID_SHA_256 => Some(Self::Sha256),
            oid::ID_SHA_384 => Some(Self::Sha384),
            oid::ID_SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }

    pub(crate) fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha256 => oid::ID_SHA_256,
            Self::Sha384 => oid::ID_SHA_384,
            Self::Sha512 => oid::ID_SHA_512,
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(crate) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Self::Sha256 => run::<sha2::Sha256>(parts),
            Self::Sha384 => run::<sha2::Sha384>(parts),
            Self::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

/// How a signature value is to be checked.
enum Scheme {
    Pkcs1(DigestAlg),
    Pss(DigestAlg, usize),
    Ecdsa(DigestAlg),
}

/// The digest algorithm named by an optional algorithm identifier, or `fallback` when it names none we know.
fn digest_or(id: Option<&ObjectIdentifier>, fallback: Option<DigestAlg>) -> Result<DigestAlg, String> {
    id.and_then(DigestAlg::from_oid)
        .or(fallback)
        .ok_or_else(|| "unsupported or missing digest algorithm".to_string())
}

/// Reads RSASSA-PSS parameters: the hash (MGF1 must use the same hash) and the salt length.
fn pss_scheme(alg: &AlgorithmIdentifierOwned) -> Result<Scheme, String> {
    let params = alg.parameters.as_ref().ok_or("RSA-PSS without parameters")?;
    let der = params.to_der().map_err(|e| format!("RSA-PSS parameters: {e}"))?;
    let parsed = rsa::pkcs1::RsaPssParams::from_der(&der).map_err(|e| format!("RSA-PSS parameters: {e}"))?;
    let hash = DigestAlg::from_oid(&parsed.hash.oid).ok_or("RSA-PSS with an unsupported hash (SHA-1?)")?;
    let mgf_hash = parsed.mask_gen.parameters.map(|p| p.oid);
    if parsed.mask_gen.oid != oid::ID_MGF_1 || mgf_hash.and_then(|h| DigestAlg::from_oid(&h)) != Some(hash) {
        return Err("RSA-PSS with a mask generation function other than MGF1 over the same hash".into());
    }
    Ok(Scheme::Pss(hash, usize::from(parsed.salt_len)))
}

/// Works out the scheme from the signature algorithm (and the signer's digest algorithm where the
/// signature algorithm does not name one, as for plain `rsaEncryption`).
fn scheme_for(alg: &AlgorithmIdentifierOwned, fallback: Option<DigestAlg>) -> Result<Scheme, String> {
    Ok(match alg.oid {
        oid::RSA_ENCRYPTION => Scheme::Pkcs1(digest_or(None, fallback)?),
        oid::SHA_256_WITH_RSA_ENCRYPTION => Scheme::Pkcs1(DigestAlg::Sha256),
        oid::SHA_384_WITH_RSA_ENCRYPTION => Scheme::Pkcs1(DigestAlg::Sha384),
        oid::SHA_512_WITH_RSA_ENCRYPTION => Scheme::Pkcs1(DigestAlg::Sha512),
        oid::ID_RSASSA_PSS => pss_scheme(alg)?,
        oid::ID_EC_PUBLIC_KEY => Scheme::Ecdsa(digest_or(None, fallback)?),
        oid::ECDSA_WITH_SHA_256 => Scheme::Ecdsa(DigestAlg::Sha256),
        oid::ECDSA_WITH_SHA_384 => Scheme::Ecdsa(DigestAlg::Sha384),
        oid::ECDSA_WITH_SHA_512 => Scheme::Ecdsa(DigestAlg::Sha512),
        other => return Err(format!("unsupported signature algorithm {other}")),
    })
}

fn verify_rsa(spki_der: &[u8], scheme: &Scheme, hashed: &[u8], sig: &[u8]) -> Result<(), String> {
    let key = rsa::RsaPublicKey::from_public_key_der(spki_der).map_err(|e| format!("bad RSA public key: {e}"))?;
    let result = match *scheme {
        Scheme::Pkcs1(DigestAlg::Sha256) => key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), hashed, sig),
        Scheme::Pkcs1(DigestAlg::Sha384) => key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), hashed, sig),
        Scheme::Pkcs1(DigestAlg::Sha512) => key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), hashed, sig),
        Scheme::Pss(DigestAlg::Sha256, s) => key.verify(rsa::Pss::new_with_salt::<sha2::Sha256>(s), hashed, sig),
        Scheme::Pss(DigestAlg::Sha384, s) => key.verify(rsa::Pss::new_with_salt::<sha2::Sha384>(s), hashed, sig),
        Scheme::Pss(DigestAlg::Sha512, s) => key.verify(rsa::Pss::new_with_salt::<sha2::Sha512>(s), hashed, sig),
        Scheme::Ecdsa(_) => return Err("an ECDSA signature algorithm with an RSA key".into()),
    };
    result.map_err(|_| "the RSA signature does not verify".to_string())
}

fn verify_ecdsa(spki: &SubjectPublicKeyInfoOwned, spki_der: &[u8], hashed: &[u8], sig: &[u8]) -> Result<(), String> {
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or("EC public key without a named curve")?;
    let bad = |_| "the ECDSA signature does not verify".to_string();
    match curve {
        oid::SECP_256_R_1 => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der).map_err(|e| format!("bad key: {e}"))?;
            let sig = p256::ecdsa::Signature::from_der(sig).map_err(bad)?;
            key.verify_prehash(hashed, &sig).map_err(bad)
        }
        oid::SECP_384_R_1 => {
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(spki_der).map_err(|e| format!("bad key: {e}"))?;
            let sig = p384::ecdsa::Signature::from_der(sig).map_err(bad)?;
            key.verify_prehash(hashed, &sig).map_err(bad)
        }
        other => Err(format!("unsupported elliptic curve {other}")),
    }
}

/// Verifies `sig` over `message` with the public key `spki`, using the signature algorithm `alg`;
/// `fallback` is the digest algorithm to use when `alg` names none.
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    fallback: Option<DigestAlg>,
    message: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    let scheme = scheme_for(alg, fallback)?;
    let spki_der = spki.to_der().map_err(|e| format!("bad public key: {e}"))?;
    match (&scheme, spki.algorithm.oid) {
        (Scheme::Pkcs1(d) | Scheme::Pss(d, _), oid::RSA_ENCRYPTION | oid::ID_RSASSA_PSS) => {
            verify_rsa(&spki_der, &scheme, &d.digest(&[message]), sig)
        }
        (Scheme::Ecdsa(d), oid::ID_EC_PUBLIC_KEY) => verify_ecdsa(spki, &spki_der, &d.digest(&[message]), sig),
        (_, key) => Err(format!(
            "the signature algorithm {} does not fit the key type {key}",
            alg.oid
        )),
    }
}
