# ruff: noqa: E501  (a data table reads best one SKU per line)
"""Education licence SKUs: GUID ↔ part number ↔ product name, for people-facing text.

Source: Microsoft's "Microsoft EDU Storage Entitlements by SKU" list (OfficeDev/O365-EDU-Tools,
`EDU Storage Contributions/Microsoft-EDU-Storage-Entitlements-by-SKU.csv`), education rows;
the same GUIDs as Microsoft's "Product names and service plan identifiers for licensing".
Used to name SKUs in plain-language plan summaries and to suggest the GUID when a YAML file
names a licence (`STANDARDWOFFPACK_STUDENT`) where Graph wants its GUID.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sku:
    guid: str
    part_number: str
    name: str


EDUCATION_SKUS: tuple[Sku, ...] = (
    Sku("94763226-9b3c-4e75-a931-5c89701abe66", "STANDARDWOFFPACK_FACULTY", "Office 365 A1 for faculty"),
    Sku("314c4481-f395-4525-be8b-2ec4bb1e9d91", "STANDARDWOFFPACK_STUDENT", "Office 365 A1 for students"),
    Sku("78e66a63-337a-4a9a-8959-41c6654dfb56", "STANDARDWOFFPACK_IW_FACULTY", "Office 365 A1 Plus for faculty"),
    Sku("e82ae690-a2d5-4d76-8d30-7c6e01e6022e", "STANDARDWOFFPACK_IW_STUDENT", "Office 365 A1 Plus for students"),
    Sku("af4e28de-6b52-4fd3-a5f4-6bf708a304d3", "STANDARDWOFFPACK_FACULTY_DEVICE", "Office 365 A1 for faculty (for Device)"),
    Sku("160d609e-ab08-4fce-bc1c-ea13321942ac", "STANDARDWOFFPACK_STUDENT_DEVICE", "Office 365 A1 for students (for Device)"),
    Sku("a19037fc-48b4-4d57-b079-ce44b7832473", "STANDARDPACK_FACULTY", "Office 365 Education E1 for Faculty"),
    Sku("d37ba356-38c5-4c82-90da-3d714f72a382", "STANDARDPACK_STUDENT", "Office 365 Education E1 for Students"),
    Sku("c07395e9-4cec-4b3e-9f63-f6933efbb6c2", "MICROSOFT_365_A1_FOR_DEVICES_FAC", "Microsoft 365 A1 for devices for faculty"),
    Sku("e8b07ce3-b6f2-42dd-b22e-1dd3cda1c103", "MICROSOFT_365_A1_FOR_DEVICES_STU", "Microsoft 365 A1 for devices for students"),
    Sku("b17653a4-2443-4e8c-a550-18249dda78bb", "M365EDU_A1", "Microsoft 365 A1 Legacy"),
    Sku("e578b273-6db4-4691-bba0-8d691f4da603", "ENTERPRISEPACKPLUS_FACULTY", "Office 365 A3 for faculty"),
    Sku("98b6e773-24d4-4c0d-a968-6e787a1f8204", "ENTERPRISEPACKPLUS_STUDENT", "Office 365 A3 for students"),
    Sku("476aad1e-7a7f-473c-9d20-35665a5cbd4f", "ENTERPRISEPACKPLUS_STUUSEBNFT", "Office 365 A3 student use benefit"),
    Sku("4b590615-0888-425a-a965-b3bf7789848d", "M365EDU_A3_FACULTY", "Microsoft 365 A3 for faculty"),
    Sku("7cfd9a2b-e110-4c39-bf20-c6a3f36a3121", "M365EDU_A3_STUDENT", "Microsoft 365 A3 for students"),
    Sku("18250162-5d87-4436-a834-d795c15c80f3", "M365EDU_A3_STUUSEBNFT", "Microsoft 365 A3 student use benefits"),
    Sku("e4fa3838-3d01-42df-aa28-5e0a4c68604b", "ENTERPRISEPACK_FACULTY", "Office 365 Education E3 for Faculty"),
    Sku("8fc2205d-4e51-4401-97f0-5c89ef1aafbb", "ENTERPRISEPACK_STUDENT", "Office 365 Education E3 for Students"),
    Sku("a4585165-0533-458a-97e3-c400570268c4", "ENTERPRISEPREMIUM_FACULTY", "Office 365 A5 for faculty"),
    Sku("ee656612-49fa-43e5-b67e-cb1fdf7699df", "ENTERPRISEPREMIUM_STUDENT", "Office 365 A5 for students"),
    Sku("f6e603f1-1a6d-4d32-a730-34b809cb9731", "ENTERPRISEPREMIUM_STUUSEBNFT", "Office 365 A5 student use benefit"),
    Sku("e97c048c-37a4-45fb-ab50-922fbf07a370", "M365EDU_A5_FACULTY", "Microsoft 365 A5 for faculty"),
    Sku("46c119d4-0379-4a9d-85e4-97c66d3f909e", "M365EDU_A5_STUDENT", "Microsoft 365 A5 for students"),
    Sku("31d57bc7-3a05-4867-ab53-97a17835a411", "M365EDU_A5_STUUSEBNFT", "Microsoft 365 A5 student use benefits"),
    Sku("12b8c807-2e20-48fc-b453-542b6ee9d171", "OFFICESUBSCRIPTION_FACULTY", "Microsoft 365 Apps for Faculty"),
    Sku("c32f9321-a627-406d-a114-1f9c81aaafac", "OFFICESUBSCRIPTION_STUDENT", "Microsoft 365 Apps for Students"),
    Sku("c24b3bac-78f7-42f7-9468-97dce529d88a", "EXCHANGESTANDARD_FACULTY", "Exchange Online (Plan 1) for Faculty"),
    Sku("ad2fe44a-915d-4e2b-ade1-6766d50a9d9c", "EXCHANGESTANDARD_STUDENT", "Exchange Online (Plan 1) for Students"),
)  # fmt: skip

_BY_GUID = {sku.guid: sku for sku in EDUCATION_SKUS}
_BY_PART = {sku.part_number.lower(): sku for sku in EDUCATION_SKUS}
#: Product names as the portal and our own output show them, any case and spacing.
_BY_NAME = {" ".join(sku.name.lower().split()): sku for sku in EDUCATION_SKUS}


def sku_by_guid(guid: str) -> Sku | None:
    return _BY_GUID.get(guid.strip().lower())


def sku_by_part_number(text: str) -> Sku | None:
    """A licence written by part number (`STANDARDWOFFPACK_STUDENT`) or by product name
    (`Office 365 A1 for students`, as plan summaries print it), any case."""
    return _BY_PART.get(text.strip().lower()) or _BY_NAME.get(" ".join(text.lower().split()))


def sku_label(guid: str) -> str:
    """`Office 365 A1 for students` for a known GUID, else the GUID itself."""
    sku = sku_by_guid(guid)
    return sku.name if sku else guid
