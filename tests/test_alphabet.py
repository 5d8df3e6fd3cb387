"""handwriting.alphabet: the line recognizer's characters and how transcriptions are written in them."""

from handwriting import alphabet


def test_every_character_has_a_code_and_the_blank_is_none_of_them():
    codes = alphabet.encode(alphabet.CHARACTERS)
    assert codes == list(range(1, alphabet.NUM_CODES))
    assert alphabet.BLANK not in codes
    assert alphabet.decode(codes) == alphabet.CHARACTERS


def test_the_issue_s_characters_are_all_there():
    for character in "aZ09áéíóúüñàèùâêîôûëïçœÉÑ.,;:!?'\"-()/&¿¡ ":
        assert character in alphabet.CHARACTERS


def test_normalize_unifies_typography_and_refuses_what_the_recognizer_cannot_write():
    assert alphabet.normalize("l’État «dit»  M^r  ſoi\u00a0!") == "l'État \"dit\" Mr soi !"
    assert alphabet.normalize("e\u0301te\u0301") == "été"  # decomposed accents are composed (NFC)
    assert alphabet.normalize("π = 3") is None
    assert alphabet.normalize("   ") is None


def test_decode_skips_blanks():
    assert alphabet.decode([alphabet.BLANK, *alphabet.encode("ño"), alphabet.BLANK]) == "ño"
