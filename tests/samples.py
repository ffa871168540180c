"""Spreadsheets a practitioner could have written, complete enough to import: for tests of any part."""

from __future__ import annotations

KIT = "https://www.kstoolkit.org/"
HEADER = "mechanism_id,mechanism_fr,mechanism_en,description_fr,description_en,kind,text_fr,text_en,categories,source,mode,tools,exact_match\n"
WEBINAR = HEADER + (
    "webinaire,Webinaire,Webinar,Une présentation en ligne suivie d'un échange avec le public.,"
    f"An online presentation followed by an exchange with the audience.,,,,,{KIT}Webinars,online,,\n"
    f"webinaire,Webinaire,Webinar,,,objectif,Partager une expérience à distance,Share an experience at a distance,objcat:knowledge-sharing,{KIT}Webinars,,,\n"
    f"webinaire,Webinaire,Webinar,,,avantage,Pas de déplacement,No travel,bencat:access-to-information,{KIT}Webinars,,,\n"
    f"webinaire,Webinaire,Webinar,,,limite,Exige une connexion internet stable,Needs a stable internet connection,Accès à internet,{KIT}Webinars,,,\n"
)
