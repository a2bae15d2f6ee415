"""Speech synthesis shared by the demo dataset builder and step 1's copy-synthesis: vocoders
(`synthesis.vocoders`) and offline text-to-speech engines (`synthesis.tts`)."""
