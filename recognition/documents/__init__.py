"""Official documents the workflow produces (minutes, notices, submissions, one-stop slips, the
certificate), laid out as Decree 30/2020/NĐ-CP prescribes and rendered to PDF and, where the
Department edits before signing, to DOCX. Always in Vietnamese: they are documents of the city."""
