# Every step a newcomer needs: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.demo-installed
DEMO_DATA := raw_audio_dataset/demo
DEMO_RUN := model/saved_models/demo
DEMO_DEBS := $(shell cat synthesis/debian-packages.txt)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: setup test demo bench app clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(DEMO_STAMP): requirements-demo.txt $(STAMP)
	$(PY) -m pip install -q -r requirements-demo.txt
	touch $@

test: setup $(DEMO_STAMP)  # the demo packages too: the vocoder and demo-builder tests use them
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && \
		{ apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || \
		  { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; }; } || \
		echo "note: Debian's chromium is not installed; the browser test will be skipped"
	$(PY) -m pytest

# The whole pipeline on the offline demo set, steps 1-5 with their defaults.
# A rerun rebuilds nothing that is up to date (the model is retrained only when step 1's manifest changed).
demo: setup $(DEMO_STAMP)
	@[ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || $(APT_INSTALL) $(DEMO_DEBS) >/dev/null 2>&1 || \
		{ apt-get update -qq && $(APT_INSTALL) $(DEMO_DEBS) >/dev/null; } || \
		echo "note: apt-get could not install the demo's Debian packages; building with what is installed"
	$(PY) synthesis/build_demo_dataset.py --output $(DEMO_DATA) --jobs 2
	$(PY) preprocessing/audio_to_spectrogram.py --input $(DEMO_DATA)/manifest.csv --jobs 2
	$(PY) analysis/difference_analysis.py
	@if [ ! -f $(DEMO_RUN)/model.keras ] || [ spectrograms/manifest.csv -nt $(DEMO_RUN)/model.keras ]; then \
		$(PY) model/train_cnn_model.py --output $(DEMO_RUN); \
	else echo "model up to date: $(DEMO_RUN)"; fi
	$(PY) inference/predict.py --model $(DEMO_RUN) --output predictions.csv
	$(PY) inference/predict_panel.py --model $(DEMO_RUN) --output prediction_panel.png
	$(PY) eval/evaluate.py --model $(DEMO_RUN)
	@echo
	@echo "demo done:"
	@echo "  spectrograms   spectrograms/ (manifest.csv, config.json)"
	@echo "  analysis       analysis/plots/summary.md"
	@echo "  model          $(DEMO_RUN)/ (model.keras, model.json, training_curves.png)"
	@echo "  predictions    predictions.csv, prediction_panel.png"
	@echo "  report         eval/reports/demo/report.md"

# Measured figures for BENCHMARKS.md (slow: trains many models; needs ../shared/data/devset).
bench: setup $(DEMO_STAMP)
	$(PY) benchmarks/bench_preprocessing.py
	$(PY) benchmarks/bench_detection.py --experiment split --step1 '--vocode none' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_inference.py --model model/pretrained/devset-v1
	$(PY) benchmarks/bench_detection.py --experiment cv --tag mel --step1 '--vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag linear --step1 '--frequency-scale linear --vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag lcnn --step1 '--vocode none' --train '--patience 8 --arch lcnn --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag mel --step1 '--vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag linear --step1 '--frequency-scale linear --vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag lcnn --step1 '--vocode none' --train '--patience 8 --arch lcnn --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag augment1 --step1 '--augment 1 --vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-world-lpc --step1 '--vocode world lpc' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) synthesis/build_demo_dataset.py --output $(DEMO_DATA) --jobs 2
	$(PY) benchmarks/bench_detection.py --experiment external --tag extra-demo --step1 '--extra $(CURDIR)/$(DEMO_DATA) --vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag lcnn-augment1 --step1 '--augment 1 --vocode none' --train '--patience 8 --arch lcnn --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag augment1 --step1 '--augment 1 --vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag lcnn-lr3e-4 --step1 '--vocode none' --train '--patience 8 --arch lcnn --learning-rate 3e-4 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag lcnn-lr3e-4 --step1 '--vocode none' --train '--patience 8 --arch lcnn --learning-rate 3e-4 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-baselines --tag mel
	$(PY) benchmarks/bench_detection.py --experiment cv-baselines --tag mel
	$(PY) benchmarks/bench_detection.py --experiment external-windows --tag mel
	for tag in mel linear lcnn lcnn-lr3e-4 augment1 lcnn-augment1 vocode-world-lpc extra-demo; do \
		$(PY) benchmarks/bench_detection.py --experiment external-stress --tag $$tag --train='--no-one-class --band-limit 0 --time-flip 0'; done
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --step1 '--vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag before --step1 '--vocode none' --train '--patience 8 --truncate 0 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag augment --step1 '--augment 1 --vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	# 2026-12-01: the training default became --patience 16; the rows above pin the 8 they were measured with
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16 --step1 '--vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience16 --step1 '--vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience16 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16-window-peak --step1 '--db-reference window_peak --vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience32 --step1 '--vocode none' --train '--patience 32 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience32 --step1 '--vocode none' --train '--patience 32 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience32 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 80 --tag epochs80 --step1 '--vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag patience8 --step1 '--vocode none' --train '--patience 8 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag patience16 --step1 '--vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16-augment1 --step1 '--augment 1 --vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience16-augment1 --step1 '--augment 1 --vocode none' --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience16-augment1 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag lcnn --step1 '--vocode none' --train '--patience 8 --arch lcnn --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16-mixup02 --step1 '--vocode none' --train '--mixup 0.2 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience16-mixup02 --step1 '--vocode none' --train '--mixup 0.2 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience16-mixup02 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16-ema099 --step1 '--vocode none' --train '--ema 0.99 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience16-ema099 --step1 '--vocode none' --train '--ema 0.99 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience16-ema099 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16-compact-fine --step1 '--vocode none' --train '--arch compact-fine --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience16-compact-fine --step1 '--vocode none' --train '--arch compact-fine --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience16-compact-fine --train='--no-one-class --band-limit 0 --time-flip 0'
	for flags in --no-trim --no-normalize; do \
		$(PY) benchmarks/bench_detection.py --experiment external-baselines --tag $${flags#--} --step1="$$flags --vocode none"; done
	$(PY) benchmarks/bench_detection.py --experiment external-baselines --tag win320-nfft512 --step1 '--win-length 320 --n-fft 512 --vocode none'
	$(PY) synthesis/neural_vocoder.py --data .cache/bench/external-patience16 --steps 3000 \
		--output synthesis/pretrained/devset-v1/upsampling_net.keras  # the shipped vocoder: the devset's REAL training clips
	$(PY) benchmarks/bench_detection.py --experiment external --tag patience16-vocode-upsampling-net --step1 '--vocode upsampling_net' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag patience16-vocode-upsampling-net --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag patience16-vocode-upsampling-net --step1 '--vocode upsampling_net' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag patience16-vocode-upsampling-net --train '--patience 16 --no-one-class --band-limit 0 --time-flip 0' --step1 '--vocode upsampling_net'
	# 2026-12-02: step 1's default became --vocode upsampling_net (the shipped vocoder); the rows above pin
	# --vocode none where they were measured without copies. 2026-12-03: its default became --copy-above 4000;
	# the rows below measured with whole copies pin --copy-above 0
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --seeds 1 --tag vocode-devset-v1-1seed --step1='--vocode upsampling_net --copy-above 0'  # the shipped vocoder, one seed: a check --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 1 --tag vocode-devset-v1-1seed --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-match-spectrum --step1='--vocode upsampling_net --match-spectrum --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-match-spectrum --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-augment1 --step1='--vocode upsampling_net --augment 1 --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-augment1 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model model/pretrained/devset-v1
	# devset-v2 is no longer shipped (stop 31: the shipped models stay under 5 MB): rebuilt here, a model of its recipe, not its weights
	$(PY) model/train_pretrained.py --output .cache/devset-v2 --work .cache/pretrained-v2 --seeds 1 2 --step1 '--copy-above 0' --train '--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/devset-v2
	# stop 22: the shipped vocoder's copies, seeds 2 and 3 (seed 1 is vocode-devset-v1-1seed above)
	$(PY) benchmarks/bench_detection.py --experiment external --seeds 2 3 --tag vocode-devset-v1-seeds23 --step1='--vocode upsampling_net --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 2 3 --tag vocode-devset-v1-seeds23 --train='--no-one-class --band-limit 0 --time-flip 0'
	# stop 22: vocoder variety (a nearest-neighbour upsampling network beside the shipped one, clips taking turns)
	$(PY) synthesis/neural_vocoder.py --data .cache/bench/external-patience16 --steps 3000 --upsampling nearest \
		--output .cache/bench/vocoders/nearest-3000steps.keras
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-two-nets --step1='--vocode upsampling_net --vocoder-model synthesis/pretrained/devset-v1/upsampling_net.keras .cache/bench/vocoders/nearest-3000steps.keras --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-two-nets --train='--no-one-class --band-limit 0 --time-flip 0'
	# the copies + channel-randomisation recipe as a shipped model would be trained (devset-v3, not shipped:
	# measured as model/pretrained/devset-v3, kept out of model/pretrained/ here), and a rerun of its bench seed 1
	$(PY) model/train_pretrained.py --output .cache/devset-v3 --work .cache/pretrained-v3 --seeds 1 2 --step1 '--augment 1 --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/devset-v3
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --model .cache/pretrained-v3/run-seed2
	$(PY) benchmarks/bench_detection.py --experiment external --seeds 1 --tag vocode-augment1-rerun --step1='--vocode upsampling_net --augment 1 --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 1 --tag vocode-augment1-rerun --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-centre-rows --step1='--copy-above 0' --train='--centre-rows --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-centre-rows --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-centre-rows --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--centre-rows --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-augment1-centre-rows --step1='--vocode upsampling_net --augment 1 --copy-above 0' --train='--centre-rows --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-augment1-centre-rows --train='--no-one-class --band-limit 0 --time-flip 0'
	# stop 23: a vocoder trained on against discriminators; a vocoder with a source input (NSF); groups balanced
	$(PY) synthesis/neural_vocoder.py --data .cache/bench/external-patience16 --steps 1000 --adversarial \
		--init synthesis/pretrained/devset-v1/upsampling_net.keras --output .cache/bench/vocoders/gan-1000steps.keras
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-gan --step1='--vocode upsampling_net --vocoder-model .cache/bench/vocoders/gan-1000steps.keras --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-gan --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-balance-groups --step1='--copy-above 0' --train='--balance-groups --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-balance-groups --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-balance-groups --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--balance-groups --no-one-class --band-limit 0 --time-flip 0'
	$(PY) synthesis/neural_vocoder.py --data .cache/bench/external-patience16 --steps 3000 --source \
		--output .cache/bench/vocoders/source-3000steps.keras
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-source --step1='--vocode upsampling_net --vocoder-model .cache/bench/vocoders/source-3000steps.keras --copy-above 0' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-source --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_vocoders.py --data .cache/bench/external-patience16 --models synthesis/pretrained/devset-v1/upsampling_net.keras \
		.cache/bench/vocoders/gan-1000steps.keras .cache/bench/vocoders/source-3000steps.keras
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-balance-groups --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--balance-groups --no-one-class --band-limit 0 --time-flip 0'
	# stop 24: groups balanced by cutting the larger class only; the (REAL, copy) pair term
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-balance-cut --step1='--copy-above 0' --train='--balance-groups cut --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-balance-cut --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-pair-loss --step1='--copy-above 0' --train='--pair-loss 1 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-pair-loss --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-balance-cap2 --step1='--copy-above 0' --train='--balance-groups --balance-cap 2 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-balance-cap2 --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-balance-cap2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--balance-groups --balance-cap 2 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-balance-cap2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 0' --train='--balance-groups --balance-cap 2 --no-one-class --band-limit 0 --time-flip 0'
	# stop 25: copies that keep their original below 4 kHz
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000 --step1='--vocode upsampling_net --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000 --step1='--vocode upsampling_net --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-copy-above4000 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	# stop 27: other crossovers
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above2000 --step1='--vocode upsampling_net --copy-above 2000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above2000 --step1='--vocode upsampling_net --copy-above 2000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above6000 --step1='--vocode upsampling_net --copy-above 6000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above6000 --step1='--vocode upsampling_net --copy-above 6000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above7000 --step1='--vocode upsampling_net --copy-above 7000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above7000 --step1='--vocode upsampling_net --copy-above 7000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-balance-groups --step1='--vocode upsampling_net --copy-above 4000' --train='--balance-groups --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-balance-groups --step1='--vocode upsampling_net --copy-above 4000' --train='--balance-groups --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-range2000-6000 --step1='--vocode upsampling_net --copy-above 2000 6000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-range2000-6000 --step1='--vocode upsampling_net --copy-above 2000 6000' --train='--no-one-class --band-limit 0 --time-flip 0'
	# the default shipped model devset-v4 (no longer shipped since devset-v6: retrained here, about 13 min)
	$(PY) model/train_pretrained.py --output .cache/devset-v4 --work .cache/pretrained-v4 --seeds 1 2 --train '--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/devset-v4
	# stop 28: CV and LOSO at 6 kHz; the spliced copies + channel randomisation; compact-stats pooling; a deeper dB floor; wider frequency masks
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-copy-above6000 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 6000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above6000 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 6000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-augment1 --step1='--vocode upsampling_net --copy-above 4000 --augment 1' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-augment1 --step1='--vocode upsampling_net --copy-above 4000 --augment 1' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-compact-stats --step1='--vocode upsampling_net --copy-above 4000' --train='--arch compact-stats --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-compact-stats --step1='--vocode upsampling_net --copy-above 4000' --train='--arch compact-stats --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-db-floor-90 --step1='--vocode upsampling_net --copy-above 4000 --db-floor -90' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-db-floor-90 --step1='--vocode upsampling_net --copy-above 4000 --db-floor -90' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-freq-mask24 --step1='--vocode upsampling_net --copy-above 4000' --train='--freq-mask 24 --no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-freq-mask24 --step1='--vocode upsampling_net --copy-above 4000' --train='--freq-mask 24 --no-one-class --band-limit 0 --time-flip 0'
	# stop 29: linear and mel-linear rows with the spliced copies; 64 and 16 ms STFT windows; grey images (external, stress, CV)
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-linear --step1='--vocode upsampling_net --copy-above 4000 --frequency-scale linear' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-linear --step1='--vocode upsampling_net --copy-above 4000 --frequency-scale linear' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-mel-linear --step1='--vocode upsampling_net --copy-above 4000 --frequency-scale mel-linear' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-mel-linear --step1='--vocode upsampling_net --copy-above 4000 --frequency-scale mel-linear' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-win1024 --step1='--vocode upsampling_net --copy-above 4000 --win-length 1024' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-win1024 --step1='--vocode upsampling_net --copy-above 4000 --win-length 1024' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-win256 --step1='--vocode upsampling_net --copy-above 4000 --win-length 256' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-win256 --step1='--vocode upsampling_net --copy-above 4000 --win-length 256' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-copy-above4000-win256 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000 --win-length 256' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-gray --step1='--vocode upsampling_net --copy-above 4000 --gray' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-gray --step1='--vocode upsampling_net --copy-above 4000 --gray' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-copy-above4000-gray --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000 --gray' --train='--no-one-class --band-limit 0 --time-flip 0'
	# stop 30: unit-selection (concatenation) copies beside the spliced ones, then taking turns with them; three vocoder networks in turn; the default with seeds 4-6 (external, stress; the networks come from the CV lines above)
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-unit-selection --step1='--vocode upsampling_net unit_selection --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-unit-selection --step1='--vocode upsampling_net unit_selection --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-unit-selection-turns --step1='--vocode upsampling_net unit_selection --vocode-turns --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-unit-selection-turns --step1='--vocode upsampling_net unit_selection --vocode-turns --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-three-networks --step1='--vocode upsampling_net --copy-above 4000 --vocoder-model synthesis/pretrained/devset-v1/upsampling_net.keras .cache/bench/vocoders/cv5-folds01-1000steps.keras .cache/bench/vocoders/cv5-folds234-1000steps.keras' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-three-networks --step1='--vocode upsampling_net --copy-above 4000 --vocoder-model synthesis/pretrained/devset-v1/upsampling_net.keras .cache/bench/vocoders/cv5-folds01-1000steps.keras .cache/bench/vocoders/cv5-folds234-1000steps.keras' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --seeds 4 5 6 --tag vocode-copy-above4000-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 4 5 6 --tag vocode-copy-above4000-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--no-one-class --band-limit 0 --time-flip 0'
	# stop 31: the one-class head (OC-softmax; the training default since this stop): external, stress, CV and LOSO
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --tag vocode-holdout-copy-above4000-one-class --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --seeds 4 5 6 --tag vocode-copy-above4000-one-class-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 4 5 6 --tag vocode-copy-above4000-one-class-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	# stop 32: the one-class head + channel randomisation of both classes; OC-softmax's margins as a flag
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-augment1-one-class --step1='--vocode upsampling_net --copy-above 4000 --augment 1' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-augment1-one-class --step1='--vocode upsampling_net --copy-above 4000 --augment 1' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-margins05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --one-class-margins 0.5 0.2 --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-margins05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --one-class-margins 0.5 0.2 --band-limit 0 --time-flip 0'
	# the default shipped model devset-v5 (model/train_pretrained.py --output model/pretrained/devset-v5 --seeds 1 2, about 13 min) and its other seed
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model model/pretrained/devset-v5
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/pretrained-v5/devset-v5-seed1
	# stop 32: devset-v5 under degraded audio, both classes alike (MODEL_CARD.md; the images are the line above's)
	$(PY) eval/evaluate.py --model model/pretrained/devset-v5 --data .cache/bench/external-patience16 --split test --conditions all --no-baseline --output .cache/eval/devset-v5-external-conditions
	# stop 33: REAL speech from the Debian packages alone, and its copies, as extra training data
	$(PY) synthesis/build_demo_dataset.py --real-only --per-class 600 --output raw_audio_dataset/debian-real --jobs 2
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-debian-real --step1='--vocode upsampling_net --copy-above 4000 --extra $(CURDIR)/raw_audio_dataset/debian-real/manifest.csv' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-debian-real --step1='--vocode upsampling_net --copy-above 4000 --extra $(CURDIR)/raw_audio_dataset/debian-real/manifest.csv' --train='--one-class --band-limit 0 --time-flip 0'
	# stop 33: 60 epochs; sharpness-aware minimisation
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 60 --tag vocode-copy-above4000-one-class-epochs60 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --epochs 60 --tag vocode-copy-above4000-one-class-epochs60 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-sam005 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --sam 0.05 --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-sam005 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --sam 0.05 --band-limit 0 --time-flip 0'
	# stop 34: a moving average of the weights with the one-class head
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-ema099 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --ema 0.99 --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-ema099 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --ema 0.99 --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-ema099 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --ema 0.99 --band-limit 0 --time-flip 0'
	# stop 35: the default trained again (a run does not repeat), compact-stats with the one-class head, ensembles
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-rerun --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-rerun --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-stats --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --arch compact-stats --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-stats --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --arch compact-stats --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-ensemble --tag vocode-copy-above4000-one-class-ema099
	$(PY) benchmarks/bench_detection.py --experiment external-ensemble --tag vocode-copy-above4000-one-class-rerun
	$(PY) benchmarks/bench_detection.py --experiment external-ensemble --tag vocode-copy-above4000-one-class-rerun --with-tag vocode-copy-above4000-one-class-stats
	# stop 36: channel randomisation for the clips but not their copies (the stress test now also splits
	# noise and band; the external-model lines above for devset-v4 and -v5 give those columns when rerun), and the default's LOSO with a second training seed
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-augment-clean-copies --step1='--vocode upsampling_net --copy-above 4000 --augment 1 --clean-copies' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-augment-clean-copies --step1='--vocode upsampling_net --copy-above 4000 --augment 1 --clean-copies' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 2 --band-limit 0 --time-flip 0'
	# stop 37: the default with three more seeds (the stress test's split for the recipe), and a random pass band
	# drawn on the training pictures of both classes, never on the copies (step 3's --band-limit)
	$(PY) benchmarks/bench_detection.py --experiment external --seeds 7 8 9 --tag vocode-copy-above4000-one-class-seeds789 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 7 8 9 --tag vocode-copy-above4000-one-class-seeds789 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-band-limit03 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-band-limit03 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 38: the random pass band's devset CV (folds 0-1 from stop 37, resumed with --reuse-runs); from here the training
	# default is --band-limit 0.3, and the rows above pin the 0 they were measured with
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 38: the shipped model retrained with the new default (devset-v6: model/train_pretrained.py --output
	# model/pretrained/devset-v6 --work .cache/pretrained-v6 --seeds 1 2 --train '--time-flip 0', about 23 min), and a random noise floor drawn
	# on the training pictures of both classes, never on the copies (step 3's --noise-floor), beside the pass bands
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model model/pretrained/devset-v6
	[ -e .cache/pretrained-v6/devset-v6-seed1 ] || cp -al .cache/pretrained-v6/run-seed1 .cache/pretrained-v6/devset-v6-seed1  # the seed not kept, under a name the results can carry
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/pretrained-v6/devset-v6-seed1
	$(PY) eval/evaluate.py --model model/pretrained/devset-v6 --data .cache/bench/external-patience16 --split test --conditions all --no-baseline --output .cache/eval/devset-v6-external-conditions
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-band-limit03-noise-floor03 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --noise-floor 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-noise-floor03 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --noise-floor 0.3 --time-flip 0'
	# stop 38: the pass bands with their chance evened out between the classes (step 3's --balance-channels)
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-band-limit03-balance-channels --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --balance-channels --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-balance-channels --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --balance-channels --time-flip 0'
	# stop 39: the pass bands on the copies too (off), a second leave-one-source-out and CV run of the default recipe,
	# every window on the folds
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-band-limit03-copies --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --band-limit-copies --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-copies --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --band-limit-copies --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-band-limit03-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 2 --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 2 --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv-windows --tag vocode-holdout-copy-above4000-one-class-band-limit03
	$(PY) benchmarks/bench_detection.py --experiment external-windows --tag vocode-copy-above4000-one-class-band-limit03
	# stop 40: a first-order high-band lift on the spectrum (step 1's --pre-emphasis 0.97; off)
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-band-limit03-pre-emphasis097 --step1='--vocode upsampling_net --copy-above 4000 --pre-emphasis 0.97' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-pre-emphasis097 --step1='--vocode upsampling_net --copy-above 4000 --pre-emphasis 0.97' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-pre-emphasis097 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000 --pre-emphasis 0.97' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 41: decoupled weight decay (step 3 --weight-decay 0.05; off)
	$(PY) benchmarks/bench_detection.py --experiment external --tag vocode-copy-above4000-one-class-band-limit03-weight-decay005 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --weight-decay 0.05 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-weight-decay005 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --weight-decay 0.05 --time-flip 0'
	# stop 41: 30 epochs instead of 40, with the plateau schedule and with a cosine one (step 3's --lr-schedule cosine); neither adopted
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 30 --tag vocode-copy-above4000-one-class-band-limit03-epochs30 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-epochs30 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 30 --tag vocode-copy-above4000-one-class-band-limit03-epochs30-cosine --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --lr-schedule cosine --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-epochs30-cosine --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --lr-schedule cosine --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 30 --tag vocode-holdout-copy-above4000-one-class-band-limit03-epochs30-cosine --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --lr-schedule cosine --time-flip 0'
	# stop 42: a second CV run of the cosine 30-epoch recipe
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 30 --tag vocode-holdout-copy-above4000-one-class-band-limit03-epochs30-cosine-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 2 --band-limit 0.3 --lr-schedule cosine --time-flip 0'
	# stop 42: attentive pooling over time (--arch compact-attention), with the cosine 30-epoch schedule and with the default one
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 30 --tag vocode-copy-above4000-one-class-band-limit03-epochs30-cosine-attention --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --lr-schedule cosine --arch compact-attention --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-epochs30-cosine-attention --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --lr-schedule cosine --arch compact-attention --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-attention --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-attention --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-attention --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-attention --time-flip 0'
	# stop 42: Gaussian noise on the scaled pixels (--pixel-noise 0.03); seed 1 only (49.5%), stopped there
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --seeds 1 --tag vocode-copy-above4000-one-class-band-limit03-pixel-noise003 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --pixel-noise 0.03 --time-flip 0'
	# stop 42: the default recipe with three more seeds (a six-seed reference on the external set)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --seeds 4 5 6 --tag vocode-copy-above4000-one-class-band-limit03-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 43: max-pooling before batch normalisation in each block (--arch compact-pool-first), for training time
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-pool-first --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-pool-first --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-pool-first --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-pool-first --time-flip 0'
	# stop 43: wider time masks (--time-mask 32)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-time-mask32 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-mask 32 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-time-mask32 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-mask 32 --time-flip 0'
	# stop 43: batches of 16 (--batch-size 16)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-batch16 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --batch-size 16 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-batch16 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --batch-size 16 --time-flip 0'
	# stop 43: twice the learning rate (--learning-rate 2e-3)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-lr2e-3 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --learning-rate 2e-3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-lr2e-3 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --learning-rate 2e-3 --time-flip 0'
	# stop 44: dropout 0.5 before the head (--dropout 0.5)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-dropout05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --dropout 0.5 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-dropout05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --dropout 0.5 --time-flip 0'
	# stop 44: three window lengths as the picture's channels (step 1 --multi-resolution)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-multires --step1='--vocode upsampling_net --copy-above 4000 --multi-resolution' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-multires --step1='--vocode upsampling_net --copy-above 4000 --multi-resolution' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 44: max-pooling before batch normalisation in the first block only (--arch compact-pool-first-block1), for training time
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-pool-first-block1 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-pool-first-block1 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-pool-first-block1 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-pool-first-block1 --time-flip 0'
	# stop 45: batch normalisation trained with TensorFlow's fused kernel (FusedBatchNormalization, the default since), against
	# Keras' own layer: the -kerasbn run is commit 2c650db's code, run from a checkout of it with PYTHONPATH=<that checkout>
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-fused-bn --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-fused-bn --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	# $(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-kerasbn --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3'
	# stop 45: devset CV with the fused normalisation, two seeds, and (the -kerasbn run) commit 2c650db's code on the same fold images
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-fused-bn --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-fused-bn-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 2 --band-limit 0.3 --time-flip 0'
	# $(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-kerasbn --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-band-limit03-fused-bn --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 45: 48/96/192 channels (--arch compact-wide)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-compact-wide --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-wide --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-compact-wide --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-wide --time-flip 0'
	# stop 46: 16/32/64 channels (--arch compact-narrow)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-compact-narrow --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-narrow --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-compact-narrow --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --arch compact-narrow --time-flip 0'
	# stop 46: training images played backwards with chance 0.5 (--time-flip 0.5); seeds 4-9 of it and of the default on the same images
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-time-flip05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --seeds 4 5 6 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --seeds 4 5 6 --tag vocode-copy-above4000-one-class-band-limit03-fused-bn-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --seeds 7 8 9 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-seeds789 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --seeds 7 8 9 --tag vocode-copy-above4000-one-class-band-limit03-fused-bn-seeds789 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-time-flip05 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-time-flip05-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 2 --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-time-flip05-seed3 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --seed 3 --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-band-limit03-time-flip05 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	# stop 47: played backwards beside a random noise floor; the stress test of seeds 4-9 of both (their saved runs)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-noise-floor03 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --noise-floor 0.3'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-noise-floor03 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --noise-floor 0.3'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 4 5 6 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 4 5 6 --tag vocode-copy-above4000-one-class-band-limit03-fused-bn-seeds456 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 7 8 9 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-seeds789 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --seeds 7 8 9 --tag vocode-copy-above4000-one-class-band-limit03-fused-bn-seeds789 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0'
	# stop 47: the noise floor on the copies too (--noise-floor-copies SHARE: all the chance, then half)
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-noise-floor03-copies --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --noise-floor 0.3 --noise-floor-copies 1'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-noise-floor03-copies --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --noise-floor 0.3 --noise-floor-copies 1'
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-noise-floor03-copies05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --noise-floor 0.3 --noise-floor-copies 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-noise-floor03-copies05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --noise-floor 0.3 --noise-floor-copies 0.5'
	# stop 47: the new default's leave-one-source-out, a second training seed
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-band-limit03-time-flip05-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --seed 2'
	# stop 47: from here the training default is --time-flip 0.5, and the rows above pin the 0 they were measured with;
	# the shipped model retrained with it (devset-v7, not shipped: level with devset-v6 clean, worse with noise)
	$(PY) model/train_pretrained.py --output .cache/devset-v7 --work .cache/pretrained-v7 --seeds 1 2
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/devset-v7
	[ -e .cache/pretrained-v7/devset-v7-seed2 ] || cp -al .cache/pretrained-v7/run-seed2 .cache/pretrained-v7/devset-v7-seed2  # the seed not kept, under a name the results can carry
	$(PY) benchmarks/bench_detection.py --experiment external-model --tag patience16 --step1 '--vocode none' --model .cache/pretrained-v7/devset-v7-seed2
	$(PY) eval/evaluate.py --model .cache/devset-v7 --data .cache/bench/external-patience16 --split test --conditions all --no-baseline --output .cache/eval/devset-v7-external-conditions
	# stop 48: test images also played backwards (the mean p_fake of each image and its reverse), from the saved runs
	# of the default recipe and the one before it (nothing retrained)
	for t in time-flip05 fused-bn; do \
	  $(PY) benchmarks/bench_detection.py --experiment external-flip --tag vocode-copy-above4000-one-class-band-limit03-$$t && \
	  $(PY) benchmarks/bench_detection.py --experiment external-flip --seeds 4 5 6 --tag vocode-copy-above4000-one-class-band-limit03-$$t-seeds456 && \
	  $(PY) benchmarks/bench_detection.py --experiment external-flip --seeds 7 8 9 --tag vocode-copy-above4000-one-class-band-limit03-$$t-seeds789 || exit 1; \
	done
	for t in time-flip05 time-flip05-seed2 time-flip05-seed3 fused-bn fused-bn-seed2; do \
	  $(PY) benchmarks/bench_detection.py --experiment cv-flip --tag vocode-holdout-copy-above4000-one-class-band-limit03-$$t || exit 1; done
	for t in time-flip05 time-flip05-seed2 fused-bn; do \
	  $(PY) benchmarks/bench_detection.py --experiment loso-flip --tag vocode-holdout-copy-above4000-one-class-band-limit03-$$t || exit 1; done
	# stop 48: slowed-down training images (--time-stretch 0.2), beside the default's flip
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-time-stretch02 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --time-stretch 0.2'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-time-flip05-time-stretch02 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --time-flip 0.5 --time-stretch 0.2'
	# stop 48: a collection adversary on the REAL images' features (--origin-adversary 0.5): external, stress, LOSO, CV
	$(PY) benchmarks/bench_detection.py --experiment external --epochs 40 --tag vocode-copy-above4000-one-class-band-limit03-origin-adversary05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --origin-adversary 0.5'
	$(PY) benchmarks/bench_detection.py --experiment external-stress --tag vocode-copy-above4000-one-class-band-limit03-origin-adversary05 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --origin-adversary 0.5'
	$(PY) benchmarks/bench_detection.py --experiment loso --epochs 25 --tag vocode-holdout-copy-above4000-one-class-band-limit03-origin-adversary05 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --origin-adversary 0.5'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-origin-adversary05 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --origin-adversary 0.5'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-origin-adversary05-seed2 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --origin-adversary 0.5 --seed 2'
	$(PY) benchmarks/bench_detection.py --experiment cv --epochs 40 --tag vocode-holdout-copy-above4000-one-class-band-limit03-origin-adversary05-seed3 --holdout-vocoders 1000 --step1='--vocode upsampling_net --copy-above 4000' --train='--one-class --band-limit 0.3 --origin-adversary 0.5 --seed 3'
	$(PY) benchmarks/write_report.py

app: setup
	$(PY) -m streamlit run inference/app.py --server.headless true --browser.gatherUsageStats false \
		--server.maxUploadSize 20

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .cache
