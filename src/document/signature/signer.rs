//! The signing key and certificates, and the CMS SignedData the signer writes.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::{rfc5911 as cms_oid, rfc5912 as oid};
use der::asn1::{Any, Null, OctetString, SetOfVec};
use der::{Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use signature::hazmat::PrehashSigner;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use super::crypto::DigestAlg;
use super::{ess, trust};

enum Key {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// A private key with its certificate (first) and the rest of its chain.
pub struct Signer {
    key: Key,
    certs: Vec<Certificate>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject())
            .finish_non_exhaustive()
    }
}

fn key_from_pkcs8(der: &[u8]) -> Result<Key, String> {
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        return Ok(Key::Rsa(Box::new(k)));
    }
    if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(Key::P256(k));
    }
    if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(Key::P384(k));
    }
    Err("the private key is not an RSA, P-256 or P-384 key".into())
}

impl Key {
    fn public_der(&self) -> Result<Vec<u8>, String> {
        let der = match self {
            Key::Rsa(k) => k.to_public_key().to_public_key_der(),
            Key::P256(k) => k.verifying_key().to_public_key_der(),
            Key::P384(k) => k.verifying_key().to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec()).map_err(|e| e.to_string())
    }

    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Key::Rsa(_) => AlgorithmIdentifierOwned {
                oid: oid::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(Any::from(Null)),
            },
            Key::P256(_) | Key::P384(_) => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA_256,
                parameters: None,
            },
        }
    }

    /// Signs the SHA-256 digest of `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let hashed = DigestAlg::Sha256.digest(&[message]);
        match self {
            Key::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed)
                .map_err(|e| e.to_string()),
            Key::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(&hashed).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Key::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(&hashed).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}

fn attribute(id: const_oid::ObjectIdentifier, value: Any) -> Result<Attribute, String> {
    let values = SetOfVec::try_from(vec![value]).map_err(|e| e.to_string())?;
    Ok(Attribute { oid: id, values })
}

impl Signer {
    /// A signer from a PKCS#8 DER private key and DER certificates (the key's certificate first or
    /// anywhere in the list; the others are written as its chain).
    pub fn from_pkcs8(key_der: &[u8], certs_der: &[Vec<u8>]) -> Result<Signer, String> {
        let key = key_from_pkcs8(key_der)?;
        let public = key.public_der()?;
        let mut certs = certs_der
            .iter()
            .map(|c| Certificate::from_der(c).map_err(|e| format!("bad certificate: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let own = certs
            .iter()
            .position(|c| c.tbs_certificate.subject_public_key_info.to_der().ok().as_deref() == Some(public.as_slice()))
            .ok_or("no certificate matches the private key")?;
        let leaf = certs.remove(own);
        certs.insert(0, leaf);
        Ok(Signer { key, certs })
    }

    /// A signer from a PKCS#12 file (PBES2/AES as OpenSSL 3 writes, or legacy 3DES).
    pub fn from_p12(der: &[u8], password: &str) -> Result<Signer, String> {
        let store =
            p12_keystore::KeyStore::from_pkcs12(der, password).map_err(|e| format!("cannot read PKCS#12: {e}"))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or("the PKCS#12 file holds no private key with a certificate")?;
        let certs: Vec<Vec<u8>> = chain.chain().iter().map(|c| c.as_der().to_vec()).collect();
        Self::from_pkcs8(chain.key(), &certs)
    }

    /// The signer certificate's subject (RFC 4514).
    pub fn subject(&self) -> String {
        self.certs.first().map(trust::subject).unwrap_or_default()
    }

    fn signed_attributes(&self, digest: &[u8]) -> Result<SetOfVec<Attribute>, String> {
        let leaf = self.certs.first().ok_or("no certificate")?;
        let leaf_der = leaf.to_der().map_err(|e| e.to_string())?;
        let e = |e: der::Error| e.to_string();
        let content_type = attribute(
            cms_oid::ID_CONTENT_TYPE,
            Any::encode_from(&cms_oid::ID_DATA).map_err(e)?,
        )?;
        let md = OctetString::new(digest.to_vec()).map_err(e)?;
        let message_digest = attribute(cms_oid::ID_MESSAGE_DIGEST, Any::encode_from(&md).map_err(e)?)?;
        let ess = ess::for_certificate(leaf, &leaf_der)?;
        let signing_cert = attribute(
            cms_oid::ID_AA_SIGNING_CERTIFICATE_V_2,
            Any::encode_from(&ess).map_err(e)?,
        )?;
        SetOfVec::try_from(vec![content_type, message_digest, signing_cert]).map_err(e)
    }

    /// A DER CMS ContentInfo(SignedData), detached, over content whose SHA-256 digest is `digest`.
    pub(crate) fn cms(&self, digest: &[u8]) -> Result<Vec<u8>, String> {
        let e = |e: der::Error| e.to_string();
        let leaf = self.certs.first().ok_or("no certificate")?;
        let attrs = self.signed_attributes(digest)?;
        let signature = self.key.sign(&attrs.to_der().map_err(e)?)?;
        let sha256 = AlgorithmIdentifierOwned {
            oid: DigestAlg::Sha256.oid(),
            parameters: None,
        };
        let sid = IssuerAndSerialNumber {
            issuer: leaf.tbs_certificate.issuer.clone(),
            serial_number: leaf.tbs_certificate.serial_number.clone(),
        };
        let info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(sid),
            digest_alg: sha256.clone(),
            signed_attrs: Some(attrs),
            signature_algorithm: self.key.algorithm(),
            signature: OctetString::new(signature).map_err(e)?,
            unsigned_attrs: None,
        };
        let certs: Vec<CertificateChoices> = self
            .certs
            .iter()
            .cloned()
            .map(CertificateChoices::Certificate)
            .collect();
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(e)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: cms_oid::ID_DATA,
                econtent: None,
            },
            certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(e)?)),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![info]).map_err(e)?),
        };
        let content = Any::encode_from(&signed_data).map_err(e)?;
        ContentInfo {
            content_type: cms_oid::ID_SIGNED_DATA,
            content,
        }
        .to_der()
        .map_err(e)
    }
}

#[cfg(test)]
impl Signer {
    /// A signer whose key does not belong to its certificate (for tests).
    pub(crate) fn mismatched(key_der: &[u8], cert_der: &[u8]) -> Result<Signer, String> {
        let key = key_from_pkcs8(key_der)?;
        let cert = Certificate::from_der(cert_der).map_err(|e| e.to_string())?;
        Ok(Signer { key, certs: vec![cert] })
    }
}
