"""ISO 4217 data for the Stuut API's currency list (private: use ``stuut_domain.money``).

The list is the ``currency`` enum of the Stuut API (306 codes: ISO 4217 current and withdrawn
codes, plus a few CLDR-only historical codes such as ``ARL`` and ``CNH``). See ADR 0004.
"""

from __future__ import annotations

from typing import Final

#: The 306 codes of the Stuut API's ``currency`` enum, in the API's (alphabetical) order.
STUUT_CURRENCY_CODES: Final[tuple[str, ...]] = tuple(
    """
    ADP AED AFA AFN ALK ALL AMD ANG AOA AOK AON AOR ARA ARL ARM ARP
    ARS ATS AUD AWG AZM AZN BAD BAM BAN BBD BDT BEC BEF BEL BGL BGM
    BGN BGO BHD BIF BMD BND BOB BOL BOP BOV BRB BRC BRE BRL BRN BRR
    BRZ BSD BTN BUK BWP BYB BYN BYR BZD CAD CDF CHE CHF CHW CLE CLF
    CLP CNH CNX CNY COP COU CRC CSD CSK CUC CUP CVE CYP CZK DDM DEM
    DJF DKK DOP DZD ECS ECV EEK EGP ERN ESA ESB ESP ETB EUR FIM FJD
    FKP FRF GBP GEK GEL GHC GHS GIP GMD GNF GNS GQE GRD GTQ GWE GWP
    GYD HKD HNL HRD HRK HTG HUF IDR IEP ILP ILR ILS INR IQD IRR ISJ
    ISK ITL JMD JOD JPY KES KGS KHR KMF KPW KRH KRO KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LTL LTT LUC LUF LUL LVL LVR LYD MAD MAF MCF
    MDC MDL MGA MGF MKD MKN MLF MMK MNT MOP MRO MRU MTL MTP MUR MVP
    MVR MWK MXN MXP MXV MYR MZE MZM MZN NAD NGN NIC NIO NLG NOK NPR
    NZD OMR PAB PEI PEN PES PGK PHP PKR PLN PLZ PTE PYG QAR RHD ROL
    RON RSD RUB RUR RWF SAR SBD SCR SDD SDG SDP SEK SGD SHP SIT SKK
    SLE SLL SOS SRD SRG SSP STD STN SUR SVC SYP SZL THB TJR TJS TMM
    TMT TND TOP TPE TRL TRY TTD TWD TZS UAH UAK UGS UGX USD USN USS
    UYI UYP UYU UYW UZS VEB VED VEF VES VND VNN VUV WST XAF XAG XAU
    XBA XBB XBC XBD XCD XCG XDR XEU XFO XFU XOF XPD XPF XPT XRE XSU
    XTS XUA XXX YDD YER YUD YUM YUN YUR ZAL ZAR ZMK ZMW ZRN ZRZ ZWD
    ZWL ZWR
    """.split()
)

#: Where ISO 4217 (as last published for the code) differs from py-moneyed's ``sub_unit``.
#: py-moneyed follows ISO for every current code; these withdrawn codes it gives otherwise.
ISO_EXPONENT_OVERRIDES: Final[dict[str, int]] = {
    "BEF": 0,  # Belgian franc: ISO minor unit 0 (py-moneyed: 100)
    "BYB": 0,  # Belarusian rouble 1994-1999: ISO minor unit 0 (py-moneyed: 100)
    "GRD": 0,  # Greek drachma: ISO minor unit 0 (py-moneyed: 100)
    "LUF": 0,  # Luxembourg franc: ISO minor unit 0 (py-moneyed: 100)
    "ROL": 2,  # Romanian leu 1952-2005: ISO minor unit 2 (py-moneyed: 1)
}

#: Codes py-moneyed does not know: (numeric code, exponent, name).
MISSING_FROM_MONEYED: Final[dict[str, tuple[str, int, str]]] = {
    "XCG": ("532", 2, "Caribbean guilder"),
}

#: ISO 4217 says "N.A." for these units (metals, funds, testing, no currency). The API still
#: sends integers for them; we take the whole unit as the smallest unit (exponent 0).
NO_MINOR_UNIT: Final[frozenset[str]] = frozenset(
    "XAG XAU XBA XBB XBC XBD XDR XFO XFU XPD XPT XRE XSU XTS XUA XXX".split()
)
