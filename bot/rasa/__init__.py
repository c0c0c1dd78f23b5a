"""Đồng hành as the back end of a Rasa 3 assistant: the project export (`project`), the import of a Rasa
NLU file into our training data (`nlu_import`) and the custom actions served with rasa-sdk (`actions`).

The Rasa side only needs `nlu.rasa_components` (the Vietnamese tokenizer), which runs in Rasa's own
Python 3.10 environment; everything here runs in ours.
"""
