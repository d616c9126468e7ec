//! Realistic document texts for the table test (invented names and numbers).

pub const FR_INVOICE: &str = "GARAGE DU CENTRE SARL
12 rue de la République
69002 Lyon
Tél : 04 78 12 34 56
SIRET 123 456 789 00012

FACTURE N° FA-2026-0142
Date de facture : 14/03/2026
Client : M. Jean Dupont
Véhicule : Peugeot 308 - AB-123-CD
Kilométrage : 87 450 km

Désignation                         Qté    P.U. HT    Montant HT
Vidange huile moteur 5W30            1      65,00      65,00
Filtre à huile                       1      12,50      12,50
Plaquettes de frein avant            1      85,00      85,00
Main d’œuvre                         1,5    60,00      90,00

Total HT                                               252,50
TVA 20 %                                                50,50
Total TTC                                              303,00 €

Règlement à réception. Merci de votre confiance.
";

pub const EN_INVOICE: &str = "Smith & Sons Motors Ltd
45 High Street
Reading RG1 2AB
Tel: 0118 496 0000
VAT Reg No: GB 123 4567 89

TAX INVOICE
Invoice No: INV-20417
Invoice Date: 03/14/2026

Vehicle: Ford Focus   Reg: AB12 CDE
Mileage: 54,321

Description                      Qty   Unit Price   Amount
Full service                     1     189.00       189.00
Front brake pads                 1     95.50        95.50
MOT test                         1     54.85        54.85

Subtotal                                            339.35
VAT (20%)                                            67.87
Total incl. VAT                                     407.22
Amount due                                          £407.22
";

/// OCR noise: doubled spaces, O read as 0 in labels, dotted T.T.C.
pub const NOISY_FR_INVOICE: &str = "CARROSSERIE MARTIN  AUTOMOBILES
ZA des Prés , 44800 St-Herblain
Tel.02 40 11 22 33
FACTURE   N0 : FC2026/0311
Le  02/02/2026
Immat : GH-456-JK      Km  compteur :132.500
Désignation      Qté   Montant
Courroie  de distribution   1   420,00
Pompe a eau     1    95,00
Batterie 70Ah    1    139,90
T0TAL  H.T.        654,90
T.V.A. 20%        130,98
T0TAL  T.T.C.     785,88
";

/// Field codes in several styles; D.3 value on the next line.
pub const CARTE_GRISE: &str = "RÉPUBLIQUE FRANÇAISE
CERTIFICAT D'IMMATRICULATION
A. AB-123-CD          (B) 15/06/2019
C.1 DUPONT JEAN
C.3 12 RUE DES LILAS 75011 PARIS
D.1 : PEUGEOT
D.2 M3FHNG/1
D.3
308
E. VF3LBHNZ6JS123456
F.1 1820      G. 1390
I) 03/02/2022
J. M1      J.1 VP     P.1 1560   P.3 GO
X.1 15/06/2024
";

pub const V5C: &str = "DVLA
V5C Vehicle Registration Certificate
A Registration number  AB12 CDE
B Date of first registration  14 March 2019
D.1 Make  FORD
D.3 Model  FOCUS ZETEC
E VIN/Chassis/Frame No  WF0AXXGCDAKA12345
Keeper: Mr John Smith
";

pub const ATTESTATION: &str = "AXA France IARD
Attestation d’assurance automobile
Souscripteur : M. Jean DUPONT
N° de contrat : 4521879604
Véhicule assuré : Renault Clio IV
Immatriculation : EF-789-GH
Période de validité du 01/04/2026 au 31/03/2027
La présente attestation ne vaut que pour la période indiquée, sous réserve du paiement des cotisations, conformément aux conditions du contrat.
Fait à Paris, le 15/03/2026
";

pub const MEMO: &str = "MÉMO VÉHICULE ASSURÉ
Assureur : MACIF
Sociétaire n° 7788123
Véhicule : PEUGEOT 208   Immatriculation : GH 456 JK
Valable du 1er avril 2026 au 31 mars 2027
Marque : PEUGEOT
En cas d’accident, remplissez le constat amiable.
";

pub const CONTROLE_TECHNIQUE: &str = "PROCÈS-VERBAL DE CONTRÔLE TECHNIQUE
Centre agréé AUTOSUR Lyon 7 - Agrément S069A123
Date du contrôle : 10/03/2026
Immatriculation : AB-123-CD
Marque : PEUGEOT      Modèle : 308
Kilométrage relevé : 87 450 km
N° d'identification (VIN) : VF3LBHNZ6JS123456
Résultat : FAVORABLE
Défaillances mineures : 2
Prochain contrôle avant le : 09/03/2028
";

pub const MOT: &str = "MOT test certificate
Vehicle registration mark  AB12 CDE
Make: VAUXHALL   Model: ASTRA
Date of test  14 March 2026
Odometer reading  61,204 miles
Test result  PASS
Expiry date  13 March 2027
MOT test number 1234 5678 9012
";

pub const RECEIPT: &str = "LAVAGE AUTO DU PARC
Ticket de caisse n° 0042-118
12/04/2026 18:32
Lavage haute pression     8,00
Aspirateur                2,00
TOTAL TTC                10,00 EUR
Dont TVA 20%              1,67
CB SANS CONTACT          10,00
Merci de votre visite
";

pub const CONTRACT: &str = "CONTRAT DE LOCATION AVEC OPTION D'ACHAT (LOA)
Contrat n° LOA-2026-55871
Entre les soussignés : DIAC SA, ci-après « le Bailleur », et M. Jean DUPONT, ci-après « le Locataire ».
Article 1 - Objet
Le Bailleur donne en location au Locataire le véhicule RENAULT MEGANE immatriculé CD-234-EF.
Article 2 - Durée
La location est consentie pour une durée de 37 mois à compter de la livraison.
Article 3 - Loyers
Le Locataire s'acquitte de 36 loyers mensuels de 289,00 € TTC.
Fait en deux exemplaires. Signature des signataires précédée de la mention « lu et approuvé ».
";

pub const MAINTENANCE: &str = "Carnet d'entretien - Suivi des révisions
Révision des 60 000 km effectuée le 05/01/2026
Opérations : vidange moteur, remplacement filtre à air, contrôle des niveaux
Kilométrage : 60 120 km
Prochaine révision : 80 000 km ou 05/01/2027
Cachet : Garage Dupont Automobiles
";

pub const OTHER: &str = "Bonjour Marie,
Je te confirme notre rendez-vous de samedi pour la randonnée dans le Vercors.
Pense à prendre des chaussures adaptées et une gourde.
À bientôt !
";

pub const ALL: [&str; 13] = [
    FR_INVOICE,
    EN_INVOICE,
    NOISY_FR_INVOICE,
    CARTE_GRISE,
    V5C,
    ATTESTATION,
    MEMO,
    CONTROLE_TECHNIQUE,
    MOT,
    RECEIPT,
    CONTRACT,
    MAINTENANCE,
    OTHER,
];
