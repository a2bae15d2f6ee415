"""Step 3: the model, its run folder, and clear errors."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from eval.metrics import compute_eer
from model.cnn import ARCHS, AttentionOverTime, FusedBatchNormalization, TimeStatistics, build_model
from model.train_cnn_model import main as train, make_optimizer
from preprocessing.config import SpectrogramConfig
from preprocessing.manifest import read_manifest


def test_every_arch_outputs_one_probability():
    images = np.random.default_rng(0).integers(0, 256, (2, 128, 128, 3)).astype(np.float32)
    models = {arch: build_model(arch) for arch in ARCHS}
    for model in models.values():
        p_fake = np.asarray(model(images))
        assert p_fake.shape == (2, 1) and np.all((p_fake >= 0) & (p_fake <= 1))
        assert isinstance(model.layers[1], keras.layers.Rescaling)  # pixels scaled inside, once
        assert model.count_params() <= 500_000 or model.name.endswith("seed")
    assert models["compact"].count_params() * 10 < models["seed"].count_params()


def test_dropout_rate_is_a_setting_with_the_cards_default_for_seed():
    def rates(model):
        return [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates(build_model("compact")) == [0.3] and rates(build_model("seed")) == [0.5]
    assert rates(build_model("compact", dropout=0.5)) == [0.5]
    images = np.full((4, 128, 128, 3), 100.0, np.float32)
    model = build_model("compact", dropout=0.9, one_class=False)
    assert np.allclose(model(images, training=False), model(images, training=False))  # off at prediction
    assert not np.allclose(model(images, training=True), model(images, training=True))


def test_fused_batch_normalisation_trains_like_keras_own():
    """Same output, gradients and moving statistics as keras.layers.BatchNormalization, one fused kernel."""
    import tensorflow as tf
    rng = np.random.default_rng(0)
    images = tf.constant(rng.normal(3.0, 2.0, (4, 8, 6, 5)).astype(np.float32))
    keras_own, fused = keras.layers.BatchNormalization(momentum=0.9), FusedBatchNormalization(momentum=0.9)
    keras_own.build(images.shape)
    fused.build(images.shape)
    keras_own.set_weights([rng.normal(1, 0.3, 5), rng.normal(0, 0.3, 5), np.zeros(5), np.ones(5)])
    fused.set_weights(keras_own.get_weights())
    weights = tf.constant(rng.normal(size=images.shape).astype(np.float32))
    results = []
    for layer in (keras_own, fused):
        with tf.GradientTape() as tape:
            tape.watch(images)
            outputs = layer(images, training=True)
            loss = tf.reduce_sum(tf.sin(outputs) * weights)
        gradients = tape.gradient(loss, [images, layer.gamma, layer.beta])
        results.append([outputs, *gradients, layer.moving_mean, layer.moving_variance])
    for keras_value, fused_value in zip(*results):
        np.testing.assert_allclose(np.asarray(fused_value), np.asarray(keras_value), rtol=2e-3, atol=1e-4)
    assert not np.allclose(np.asarray(fused.moving_mean), 0)  # the statistics did move
    np.testing.assert_allclose(fused(images, training=False), keras_own(images, training=False), rtol=1e-5, atol=1e-5)
    graph = tf.function(lambda x: fused(x, training=True)).get_concrete_function(images).graph
    assert "FusedBatchNormV3" in {op.type for op in graph.get_operations()}  # one kernel, not Keras' ops
    assert sum(isinstance(layer, FusedBatchNormalization) for layer in build_model("compact").layers) == 3


def test_compact_wide_and_narrow_scale_every_blocks_channels_under_the_cards_limit():
    def widths(arch):
        return [layer.filters for layer in build_model(arch).layers if isinstance(layer, keras.layers.Conv2D)]
    assert widths("compact") == [32, 64, 128] and widths("compact-wide") == [48, 96, 192]
    assert widths("compact-narrow") == [16, 32, 64]
    assert build_model("compact-narrow").count_params() < build_model("compact").count_params()
    assert build_model("compact-wide").count_params() <= 500_000


def test_compact_fine_keeps_twice_the_frequency_rows():
    rows = {arch: build_model(arch).get_layer("average_over_time").output.shape[1]
            for arch in ("compact", "compact-fine")}
    assert rows == {"compact": 8, "compact-fine": 16}


def test_pool_first_normalises_pooled_values_with_the_same_weights_and_rows():
    pooled_first = {"compact": [1, 1, 1], "compact-pool-first": [2, 2, 2], "compact-pool-first-block1": [2, 1, 1]}
    models = {arch: build_model(arch) for arch in pooled_first}
    for arch, model in models.items():
        normalised = [layer.input.shape[1:3] for layer in model.layers
                      if isinstance(layer, keras.layers.BatchNormalization)]
        convolved = [layer.output.shape[1:3] for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
        # each side halved by a pooling before the norm, in the blocks that pool first
        assert normalised == [(rows // shrink, frames // shrink)
                              for (rows, frames), shrink in zip(convolved, pooled_first[arch])]
        assert model.count_params() == models["compact"].count_params()
        assert model.get_layer("average_over_time").output.shape[1:] == (8, 1, 128)


def test_statistics_pooling_gives_each_row_its_mean_and_spread_over_time():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(2, 8, 16, 4)).astype(np.float32)  # (batch, rows, frames, channels)
    pooled = np.asarray(TimeStatistics()(features))
    assert pooled.shape == (2, 8, 8)
    assert np.allclose(pooled[..., :4], features.mean(axis=2), atol=1e-5)
    assert np.allclose(pooled[..., 4:], features.std(axis=2), atol=1e-3)
    rows = build_model("compact-stats").get_layer("statistics_over_time").output.shape
    assert rows[1:] == (8, 256)  # the 8 frequency rows of compact, mean and std of its 128 channels


def test_attention_pooling_is_a_weighted_mean_over_each_rows_frames_and_reloads(tmp_path):
    rng = np.random.default_rng(0)
    steady = np.repeat(rng.normal(size=(2, 8, 1, 4)), 16, axis=2).astype(np.float32)  # every frame alike
    pool = AttentionOverTime(units=3)
    assert np.allclose(np.asarray(pool(steady)), steady[:, :, 0], atol=1e-5)  # weights sum to 1 per row
    features = rng.normal(size=(2, 8, 16, 4)).astype(np.float32)
    features[:, :, :, 0] = -2.0
    features[:, :, 5, 0] = 50.0  # frame 5 stands out in channel 0
    pool.hidden.assign(np.eye(4, 3, dtype=np.float32))
    pool.score.assign(np.array([[20.0], [0.0], [0.0]], np.float32))  # score = 20 tanh(channel 0)
    pooled = np.asarray(pool(features))
    assert pooled.shape == (2, 8, 4) and np.allclose(pooled, features[:, :, 5], atol=1e-3)
    pool.score.assign(np.zeros((3, 1), np.float32))  # equal scores: the plain average over time
    assert np.allclose(np.asarray(pool(features)), features.mean(axis=2), atol=1e-5)
    model = build_model("compact-attention")
    assert model.get_layer("attention_over_time").output.shape[1:] == (8, 128)
    model.save(tmp_path / "attention.keras")
    reloaded = keras.saving.load_model(tmp_path / "attention.keras", safe_mode=True, compile=False)
    images = rng.integers(0, 256, (2, 128, 128, 3)).astype(np.float32)
    assert np.allclose(np.asarray(reloaded(images)), np.asarray(model(images)), atol=1e-6)


def test_centre_rows_ignores_a_steady_colour_per_frequency_row_and_reloads(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(40, 200, (2, 128, 128, 3)).astype(np.float32)
    coloured = images + rng.integers(-40, 40, (1, 128, 1, 3))  # each row (band) and channel: its own offset
    keras.utils.set_random_seed(0)
    centred = build_model("compact", centre_rows=True, one_class=False)  # unsaturated p_fake
    assert np.allclose(np.asarray(centred(images)), np.asarray(centred(coloured)), atol=1e-5)
    keras.utils.set_random_seed(0)
    plain = build_model("compact", one_class=False)
    assert not np.allclose(np.asarray(plain(images)), np.asarray(plain(coloured)), atol=1e-5)
    centred.save(tmp_path / "centred.keras")
    reloaded = keras.saving.load_model(tmp_path / "centred.keras", safe_mode=True)
    assert np.allclose(np.asarray(reloaded(coloured)), np.asarray(centred(coloured)), atol=1e-6)


def test_run_folder_describes_the_model(trained_run, spectrogram_dir):
    card = json.loads((trained_run / "model.json").read_text())
    assert "P(fake)" in card["output"] and card["class_names"] == ["REAL", "FAKE"]
    assert 0.0 <= card["threshold"] <= 1.0
    assert SpectrogramConfig.from_dict(card["config"]) == SpectrogramConfig.load(spectrogram_dir)
    counts = read_manifest(spectrogram_dir).groupby(["split", "label"]).size()
    assert card["counts"]["train"]["FAKE"] == counts["train", "FAKE"]
    assert card["parameters"] == build_model(card["arch"]).count_params()
    assert {"tensorflow", "keras"} <= set(card["versions"]) and 0 <= card["validation"]["eer"] <= 1
    assert card["training_args"]["band_limit"] == 0.3 and card["training_args"]["noise_floor"] == 0
    assert card["training_args"]["time_flip"] == 0.5  # the defaults
    for name in ("history.csv", "training_curves.png", "logs"):
        assert (trained_run / name).exists(), name


def test_saved_model_loads_safely_and_is_the_best_epoch(trained_run, spectrogram_dir):
    model = keras.saving.load_model(trained_run / "model.keras", safe_mode=True)
    with (trained_run / "history.csv").open() as stream:
        history = list(csv.DictReader(stream))
    val_eers = [float(row["val_eer"]) for row in history]
    card = json.loads((trained_run / "model.json").read_text())
    assert val_eers[card["best_epoch"] - 1] == pytest.approx(min(val_eers))
    val = read_manifest(spectrogram_dir, "val")
    images = np.stack([np.asarray(keras.utils.load_img(p)) for p in val["image_path"]]).astype(np.float32)
    eer, _ = compute_eer(val["y"], np.asarray(model.predict(images, verbose=0)).ravel())
    assert eer == pytest.approx(min(val_eers), abs=1e-6)
    assert card["validation"]["eer"] == pytest.approx(eer, abs=1e-6)
    # the card records the arch's resolved defaults, so the same flags parse to the same arguments (--reuse-runs)
    from model.train_cnn_model import parse_args
    same_flags = parse_args(["--data", str(spectrogram_dir), "--output", str(trained_run), "--epochs", "2",
                             "--batch-size", "8"])
    assert card["training_args"] == vars(same_flags) and card["training_args"]["dropout"] == 0.3


def test_ema_run_keeps_the_averaged_weights_it_validated(spectrogram_dir, tmp_path):
    run_dir = tmp_path / "ema"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "3",
                  "--batch-size", "8", "--ema", "0.9", "--no-one-class"]) == 0
    with (run_dir / "history.csv").open() as stream:
        val_eers = [float(row["val_eer"]) for row in csv.DictReader(stream)]
    model = keras.saving.load_model(run_dir / "model.keras", safe_mode=True)
    assert model.optimizer.use_ema and model.optimizer.ema_momentum == pytest.approx(0.9)
    val = read_manifest(spectrogram_dir, "val")
    images = np.stack([np.asarray(keras.utils.load_img(p)) for p in val["image_path"]]).astype(np.float32)
    eer, _ = compute_eer(val["y"], np.asarray(model.predict(images, verbose=0)).ravel())
    assert eer == pytest.approx(min(val_eers), abs=1e-6)  # the saved weights are the ones validated


def test_weight_decay_shrinks_the_weights_but_not_the_batch_norm_scales_and_shifts(spectrogram_dir, tmp_path, capsys):
    model = build_model("compact")
    for weight_decay, shrink in ((0.0, 1.0), (0.5, 1 - 0.01 * 0.5)):
        optimizer = make_optimizer(0.01, weight_decay)
        before = [np.array(v) for v in model.trainable_variables]
        optimizer.apply([keras.ops.zeros_like(v) for v in model.trainable_variables], model.trainable_variables)
        for variable, old in zip(model.trainable_variables, before):
            spared = variable.name in ("gamma", "beta") or shrink == 1.0
            np.testing.assert_allclose(np.array(variable), old * (1.0 if spared else shrink), rtol=1e-6, atol=1e-7)
    assert train(["--data", str(spectrogram_dir), "--output", str(tmp_path / "run"), "--weight-decay", "-1"]) == 1
    assert "--weight-decay" in capsys.readouterr().err and not (tmp_path / "run").exists()


def test_a_cosine_schedule_brings_the_learning_rate_to_zero_at_the_last_epoch(spectrogram_dir, tmp_path):
    train_images = len(read_manifest(spectrogram_dir, "train"))
    rates = {}
    for schedule in ("cosine", "plateau"):
        run_dir = tmp_path / schedule
        assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "2", "--batch-size", "8",
                      "--no-one-class", "--lr-schedule", schedule, "--patience", "9"]) == 0
        optimizer = keras.saving.load_model(run_dir / "model.keras", safe_mode=True).optimizer
        assert int(optimizer.iterations) == 2 * -(-train_images // 8)
        rates[schedule] = float(optimizer.learning_rate)
    assert rates["cosine"] == pytest.approx(0.0, abs=1e-9) and rates["plateau"] == pytest.approx(1e-3)


def test_balanced_groups_weigh_each_class_equally_inside_a_group_and_overall():
    import pandas as pd

    from model.train_cnn_model import training_weights

    rows = pd.DataFrame({"group": ["lj"] * 6 + ["libri"] * 4 + ["demo"] * 2,
                         "y": [1, 1, 1, 1, 1, 0] + [0, 0, 1, 1] + [1, 1]})
    plain = training_weights(rows, balance_groups=None)
    assert np.allclose(plain, np.where(rows["y"] == 1, 12 / (2 * 9), 12 / (2 * 3)))  # class weights, as before
    within = training_weights(rows, balance_groups="share", balance_classes=False)
    by = pd.Series(within).groupby([rows["group"], rows["y"]]).sum()
    assert by["lj", 0] == pytest.approx(by["lj", 1]) and by["libri", 0] == pytest.approx(by["libri", 1])
    assert np.allclose(within[10:], within[6])  # a one-class group keeps its plain weight
    weights = training_weights(rows, balance_groups="share")  # then the class weights: one factor per class
    by = pd.Series(weights).groupby([rows["group"], rows["y"]]).sum()
    assert by["lj", 0] / by["lj", 1] == pytest.approx(by["libri", 0] / by["libri", 1])  # the voice says nothing
    assert weights[rows["y"] == 0].sum() == pytest.approx(weights[rows["y"] == 1].sum())
    assert weights.mean() == pytest.approx(1) and weights[5] > 4 * weights[0]  # lj's lone REAL counts
    capped = training_weights(rows, balance_groups="share", balance_classes=False, cap=2)
    assert capped[5] / capped[10] == pytest.approx(2) and np.allclose(capped[:5], capped[10] * 6 / 10)


def test_cut_groups_lower_the_larger_class_and_leave_every_other_image_alone():
    import pandas as pd

    from model.train_cnn_model import training_weights

    rows = pd.DataFrame({"group": ["lj"] * 6 + ["libri"] * 4 + ["demo"] * 2 + ["prompt"] * 3,
                         "y": [1, 1, 1, 1, 1, 0] + [0, 0, 1, 1] + [1, 1] + [0, 0, 1]})
    within = training_weights(rows, balance_groups="cut", balance_classes=False)
    assert np.allclose(within / within[5], [0.2] * 5 + [1] * 7 + [0.5, 0.5, 1])  # only a larger class moves
    by = pd.Series(within).groupby([rows["group"], rows["y"]]).sum()
    for group in ("lj", "libri", "prompt"):
        assert by[group, 0] == pytest.approx(by[group, 1])
    weights = training_weights(rows, balance_groups="cut")
    real = (rows["y"] == 0).to_numpy()
    assert weights[real].sum() == pytest.approx(weights[~real].sum()) and weights.mean() == pytest.approx(1)
    assert np.allclose(weights[real & (rows["group"] != "prompt").to_numpy()], weights[5])  # REALs alike
    with pytest.raises(ValueError):
        training_weights(rows, balance_groups="half")


def test_training_with_balanced_groups_passes_each_images_weight_through_augmentation(spectrogram_dir, tmp_path):
    from model.data import make_dataset

    config = SpectrogramConfig()
    train_rows = read_manifest(spectrogram_dir, "train")
    weights = np.arange(1, len(train_rows) + 1, dtype=np.float32)
    dataset = make_dataset(train_rows["image_path"], train_rows["y"], config, batch_size=4, training=True,
                           freq_mask=8, time_mask=8, truncate=0.5, mixup_alpha=0.2, weights=weights,
                           band_limit=0.5, noise_floor=0.5, copies=train_rows["vocoder"] != "")
    batches = list(dataset)
    assert all(len(batch) == 3 for batch in batches)  # the channel column is dropped after use
    seen = np.concatenate([batch[2].numpy() for batch in batches])
    assert sorted(seen) == sorted(weights)
    run_dir = tmp_path / "balanced"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "2", "--batch-size", "8",
                  "--balance-groups", "--band-limit", "0.5", "--noise-floor", "0.25", "--balance-channels",
                  "--band-limit-copies", "--dropout", "0.5", "--time-flip", "0.25", "--noise-floor-copies", "0.5",
                  "--time-stretch", "0.2"]) == 0
    training_args = json.loads((run_dir / "model.json").read_text())["training_args"]
    assert training_args["balance_groups"] == "share" and training_args["band_limit"] == 0.5
    assert training_args["noise_floor"] == 0.25 and training_args["balance_channels"]
    assert training_args["band_limit_copies"] and training_args["dropout"] == 0.5
    assert training_args["time_flip"] == 0.25 and training_args["noise_floor_copies"] == 0.5
    assert training_args["time_stretch"] == 0.2
    for flag, bad in (("--band-limit", "2"), ("--noise-floor", "-0.1"), ("--dropout", "1"), ("--time-flip", "1.5"),
                      ("--noise-floor-copies", "2"), ("--time-stretch", "-0.1")):
        assert train(["--data", str(spectrogram_dir), "--output", str(tmp_path / "bad"), flag, bad]) == 1
        assert not (tmp_path / "bad").exists()


def test_a_pass_band_drawn_on_the_picture_matches_the_filter_on_the_audio():
    """White noise through preprocessing.augment.bandpass, then step 1's picture, against step 1's
    picture of the same noise with the same pass band drawn on it: the same rows go dark."""
    from model.data import attenuate_rows, level_codec, pass_band_db
    from preprocessing.augment import bandpass
    from preprocessing.spectrogram import (band_frequencies, image_to_array, levels_per_db, pixels_to_levels,
                                           window_to_image)

    config = SpectrogramConfig()
    noise = 0.1 * np.random.default_rng(0).standard_normal(config.clip_samples).astype(np.float32)
    filtered = image_to_array(window_to_image(bandpass(noise, config.sample_rate, 300, 3400), config), config)
    to_levels, to_image = level_codec(config)
    levels = to_levels(image_to_array(window_to_image(noise, config), config).astype(np.float32))
    row_hz = band_frequencies(config)[::-1].astype(np.float32)
    drawn = to_image(attenuate_rows(levels, pass_band_db(row_hz, 300.0, 3400.0, config.sample_rate),
                                     levels_per_db(config))).numpy()
    assert np.array_equal(to_image(levels).numpy(), image_to_array(window_to_image(noise, config), config))  # exact inverse
    assert np.array_equal(levels.numpy(), pixels_to_levels(image_to_array(window_to_image(noise, config), config),
                                                           config))  # NumPy's inverse (explain) agrees with TF's
    row_level = lambda image: to_levels(image.astype(np.float32)).numpy()[:, 8:-8].mean(axis=1)  # noqa: E731
    difference = np.abs(row_level(filtered) - row_level(drawn))
    assert row_level(drawn)[row_hz > 6500].max() < 5 and row_level(drawn)[(row_hz > 500) & (row_hz < 3000)].min() > 150
    assert np.ptp(row_level(drawn)[(row_hz > 4000) & (row_hz < 5500)]) > 50  # the filter's slope, not a wall
    # levels 0-255 span 80 dB; on the high-pass slope a row's centre stands for its band less well
    assert difference.mean() < 3 and difference[row_hz > 400].max() < 10 and difference.max() < 30


def test_a_pass_band_on_a_multi_resolution_picture_matches_the_filter_in_every_channel():
    import tensorflow as tf

    from model.data import attenuate_rows, augment_images, channel_rows, level_codec, pass_band_db
    from preprocessing.augment import bandpass
    from preprocessing.spectrogram import band_frequencies, image_to_array, levels_per_db, window_to_image

    config = SpectrogramConfig(multi_resolution=True)
    noise = 0.1 * np.random.default_rng(0).standard_normal(config.clip_samples).astype(np.float32)
    picture = image_to_array(window_to_image(noise, config), config)
    filtered = image_to_array(window_to_image(bandpass(noise, config.sample_rate, 300, 3400), config), config)
    to_levels, to_image = level_codec(config)
    levels = to_levels(tf.constant(picture, tf.float32))
    assert levels.shape == (128, 128, 3) and np.array_equal(to_image(levels).numpy(), picture)
    row_hz = band_frequencies(config)[::-1].astype(np.float32)
    drawn = attenuate_rows(levels, pass_band_db(row_hz, 300.0, 3400.0, config.sample_rate), levels_per_db(config))
    row_level = lambda levels: np.asarray(levels, np.float32)[:, 8:-8].mean(axis=1)  # noqa: E731  (rows, channels)
    difference = np.abs(row_level(filtered) - row_level(drawn))
    # each channel as for one colormap, but the short window's wide bins blur the high-pass slope more below 400 Hz
    assert difference.mean(axis=0).max() < 3 and difference[row_hz > 400].max() < 10
    assert np.all(row_level(drawn)[row_hz > 6500] < 5)
    tf.random.set_seed(0)
    augmented, label = augment_images(config, band_limit=1.0)(tf.constant(picture, tf.float32), 1.0,
                                                              channel_rows([1.0], [False])[0])
    assert float(label) == 1.0 and np.all(row_level(augmented)[0] < row_level(picture)[0])  # top band, every channel
    with pytest.raises(ValueError, match="multi_resolution"):
        augment_images(config, noise_floor=1.0)


def flat_picture(config, level: int):
    """A 128x128 picture of one colormap colour (dB level 0-255), as a float32 tensor like the decoder's."""
    import tensorflow as tf

    from preprocessing.spectrogram import colormap_lut

    return tf.constant(np.broadcast_to(colormap_lut(config.colormap)[level], (128, 128, 3)), tf.float32)


def channel_draws(config, channel: dict, level: int, label: float, weight: float, count: int = 5):
    """A flat picture at colormap `level`, and the dB levels of `count` draws of a channel augmentation
    (`channel`: augment_images' keywords) on it as an image that is not a copy; each draw keeps the
    label, the weight and the colormap. Also asserts that a spared copy, or chance 0, is left alone."""
    import tensorflow as tf

    from model.data import augment_images, channel_rows, level_codec
    from preprocessing.spectrogram import off_colormap_share

    tf.random.set_seed(0)
    original, copy = channel_rows([label, label], [False, True])
    image = flat_picture(config, level)
    augment = augment_images(config, **channel)
    to_levels, _ = level_codec(config)
    draws = []
    for _ in range(count):
        drawn, drawn_label, drawn_weight = augment(image, label, original, weight)
        assert off_colormap_share(drawn.numpy().astype(np.uint8), config) == 0
        assert float(drawn_label) == label and float(drawn_weight) == weight
        draws.append(to_levels(drawn).numpy())
    spared, _ = augment(image, label, copy)
    assert np.array_equal(spared.numpy(), image.numpy())
    untouched = augment_images(config, **{name: 0.0 for name in channel})(image, label)[0]
    assert np.array_equal(untouched.numpy(), image.numpy())
    return draws


def test_a_random_pass_band_dims_the_top_and_bottom_rows_and_spares_copies():
    from preprocessing.spectrogram import band_frequencies

    config = SpectrogramConfig()
    row_hz = band_frequencies(config)[::-1]  # image row 0 is the top band
    tops = set()
    for levels in channel_draws(config, {"band_limit": 1.0}, level=200, label=1.0, weight=3.0):
        assert np.all(levels == levels[:, :1])  # whole rows
        row = levels[:, 0]
        middle = (row_hz > 700) & (row_hz < 2000)
        assert np.all(row[middle] == 200) and row[0] < 200 and row[-1] < 200
        assert np.all(np.diff(row[:np.argmax(middle)]) >= 0)  # darker towards the top
        tops.add(int(row[np.argmin(np.abs(row_hz - 5000))]))
    assert len(tops) > 1  # the band is drawn anew for each image


def test_balanced_channels_land_on_each_class_equally_often_and_never_on_a_copy():
    import tensorflow as tf

    from model.data import augment_images, channel_rows
    from preprocessing.augment import LOW_PASS_HZ

    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    copies = np.array([False, False, False, False, False, False, True, True, True, True])  # 4 FAKE copies
    plain, balanced = channel_rows(labels, copies), channel_rows(labels, copies, balance=True)
    for rows in (plain, balanced):
        assert np.array_equal(rows[:, 0], rows[:, 1]) and np.all(rows[:, 2] == LOW_PASS_HZ[0])
    assert np.array_equal(plain[:, 0], ~copies)
    assert np.allclose(balanced[:, 0], [1, 1, 1, 1, 3, 3, 0, 0, 0, 0])  # 6 FAKE, 2 may take it: chance x 3
    for rows in (plain, balanced):  # expected share of each class carrying a channel of chance 0.2
        shares = [np.minimum(0.2 * rows[labels == label, 0], 1).mean() for label in (0, 1)]
        assert np.isclose(*shares) == (rows is balanced)
    tf.random.set_seed(0)
    config = SpectrogramConfig()
    image = flat_picture(config, 200)
    augment = augment_images(config, band_limit=0.4)
    changed = lambda row: not np.array_equal(augment(image, 1.0, row)[0].numpy(), image.numpy())  # noqa: E731
    assert all(changed(np.float32([2.5, 0, 3000])) for _ in range(8))  # chance 0.4 x 2.5: every time
    assert not any(changed(np.float32([0, 1, 3000])) for _ in range(8))


def test_noise_on_copies_lands_on_reals_and_their_copies_alike_and_leaves_their_pass_bands_spared():
    import tensorflow as tf

    from model.data import augment_images, channel_rows, level_codec

    labels = np.array([0, 0, 1, 1, 1])
    copies = np.array([False, False, False, True, True])
    rows = channel_rows(labels, copies, noise_copies=1.0)
    assert np.array_equal(rows[:, 1], [1, 1, 1, 1, 1]) and np.array_equal(rows[:, 0], ~copies)
    assert np.array_equal(channel_rows(labels, copies, balance=True, noise_copies=1.0)[:, 1], [1, 1, 1, 1, 1])
    assert np.array_equal(channel_rows(labels, copies, noise_copies=0.25)[:, 1], [1, 1, 1, 0.25, 0.25])
    tf.random.set_seed(0)
    config = SpectrogramConfig()
    image = flat_picture(config, 120)
    augment = augment_images(config, band_limit=1.0, noise_floor=1.0)
    spared_row = channel_rows(labels, copies)[3]
    assert np.array_equal(augment(image, 1.0, spared_row)[0].numpy(), image.numpy())
    to_levels, _ = level_codec(config)
    noisy_levels = to_levels(augment(image, 1.0, rows[3])[0]).numpy()
    assert noisy_levels.std() > 1  # a flat picture no longer: the copy got its noise floor


def test_copies_take_pass_bands_that_keep_their_vocoded_band_in_view_and_no_noise():
    import tensorflow as tf

    from model.data import augment_images, channel_rows, level_codec
    from preprocessing.spectrogram import band_frequencies

    labels, copies = np.array([0, 1, 1]), np.array([False, False, True])
    rows = channel_rows(labels, copies, copy_band_from_hz=5000.0)
    assert np.array_equal(rows[:, 0], [1, 1, 1]) and np.array_equal(rows[:, 1], [1, 1, 0])
    assert np.array_equal(rows[:, 2], [3000, 3000, 5000])
    assert np.array_equal(channel_rows(labels, copies, copy_band_from_hz=7600.0)[:, 0], [1, 1, 0])  # no room: spared
    balanced = channel_rows(labels, copies, copy_band_from_hz=5000.0, balance=True)
    assert np.allclose(balanced[:, 0], 1) and np.allclose(balanced[:, 1], [1, 2, 0])

    tf.random.set_seed(0)
    config = SpectrogramConfig()
    row_hz = band_frequencies(config)[::-1]  # image row 0 is the top band
    to_levels, _ = level_codec(config)
    image = flat_picture(config, 200)
    band = augment_images(config, band_limit=1.0)
    for chosen, lowest_hz in ((rows[0], 3000), (rows[2], 5000)):
        dims_at = []
        for _ in range(12):
            levels = to_levels(band(image, 1.0, chosen)[0]).numpy()[:, 0]
            assert levels[0] < 200  # the top band always goes dark
            dims_at.append(row_hz[levels >= 190].max())  # the highest row still (nearly) as bright
        assert min(dims_at) >= 0.9 * lowest_hz and (min(dims_at) < 4000) == (lowest_hz < 4000)
    noise, quiet = augment_images(config, noise_floor=1.0), flat_picture(config, 40)  # a floor shows on quiet rows
    assert np.array_equal(noise(quiet, 1.0, rows[2])[0].numpy(), quiet.numpy())
    assert not np.array_equal(noise(quiet, 1.0, rows[1])[0].numpy(), quiet.numpy())


def test_a_noise_floor_mixed_into_the_picture_matches_noise_mixed_into_the_audio():
    """Speech-like audio with a pause, white noise mixed in at 20 dB SNR before step 1's picture,
    against step 1's picture of the clean audio with the same noise's band powers mixed in: the
    same levels, the pause and the dark rows filled by the same floor."""
    from model.data import add_noise_floor, level_codec
    from preprocessing.audio import split_windows
    from preprocessing.augment import mix_at_snr
    from preprocessing.spectrogram import band_power, image_to_array, window_to_image

    config = SpectrogramConfig()
    t = np.arange(config.clip_samples) / config.sample_rate
    voiced = sum(np.sin(2 * np.pi * k * (120 + 30 * t) * t) / k for k in range(1, 20))
    speech = (voiced * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)) * (np.abs(t - 1.5) > 0.3)).astype(np.float32)
    noise = np.random.default_rng(0).standard_normal(config.clip_samples)
    to_levels, _ = level_codec(config)
    picture = lambda samples: to_levels(image_to_array(window_to_image(  # noqa: E731
        split_windows(samples, config)[0], config), config).astype(np.float32)).numpy()
    clean, noisy = picture(speech), picture(mix_at_snr(speech, noise, 20.0))
    noise_power = band_power(split_windows(noise, config)[0], config)[::-1]  # as noise_bank makes its entries
    drawn = add_noise_floor(clean, noise_power.astype(np.float32), 20.0, config).numpy()
    dark = clean < 60
    assert dark.mean() > 0.2 and noisy[dark].mean() > clean[dark].mean() + 40  # the noise shows
    difference = np.abs(drawn.astype(int) - noisy)
    assert difference.mean() < 2 and np.abs(drawn[dark].mean() - noisy[dark].mean()) < 2
    assert np.percentile(difference, 90) < 6  # 3 dB off: 10; band powers add, the audio has cross terms too


def test_a_random_noise_floor_is_drawn_anew_and_spares_copies():
    from model.data import augment_images, noise_bank

    config = SpectrogramConfig()
    bank_db = 10 * np.log10(noise_bank(config, count=4).mean(axis=2))  # (entry, row), row 0 the top band
    assert np.ptp(bank_db[0][8:-8]) < 3  # white: flat over the rows
    assert bank_db[1][:32].mean() < bank_db[1][-32:].mean() - 20  # low-frequency heavy: dark at the top
    floors = set()
    for levels in channel_draws(config, {"noise_floor": 1.0}, level=20, label=0.0, weight=2.0):
        assert levels.min() >= 20 and levels.mean() > 20
        floors.add(round(float(levels.mean()), 1))
    assert len(floors) > 1  # level and colour drawn anew for each image
    with pytest.raises(ValueError, match="noise-floor"):
        augment_images(SpectrogramConfig(db_reference="window_peak"), noise_floor=0.5)


def test_each_copy_is_paired_with_its_own_original(spectrogram_dir):
    from model.pairs import copy_pairs

    rows = read_manifest(spectrogram_dir, "train")
    reals, copies = copy_pairs(rows)
    by_path = rows.set_index("image_path")
    assert len(copies) == (rows["vocoder"] != "").sum() > 0 and len(set(copies)) == len(copies)
    for real, copy in zip(reals, copies):
        assert by_path.loc[real, "y"] == 0 and by_path.loc[real, "vocoder"] == "" and by_path.loc[real, "variant"] == 0
        assert by_path.loc[copy, "y"] == 1 and by_path.loc[copy, "vocoder"] != ""
        assert by_path.loc[real, "source"] == by_path.loc[copy, "source"]
    assert copy_pairs(rows[rows["vocoder"] == ""]) == ([], [])


def test_the_pair_term_ignores_what_a_pair_shares_and_rewards_a_copy_scored_fake():
    import tensorflow as tf

    from model.pairs import pair_term

    detector = build_model("compact", 32, 3)
    image = tf.random.uniform([2, 32, 32, 3], 0, 255, seed=1)
    with tf.GradientTape() as tape:
        same = pair_term(detector(image, training=False), detector(image, training=False))
    gradients = tape.gradient(same, detector.trainable_weights)
    assert float(same) == pytest.approx(np.log(2), abs=1e-5)  # a copy scored as its original
    assert all(g is None or float(tf.reduce_max(tf.abs(g))) < 1e-6 for g in gradients)
    ordered = [float(pair_term(tf.constant([[0.5]]), tf.constant([[p]]))) for p in (0.2, 0.5, 0.8, 0.99)]
    assert ordered == sorted(ordered, reverse=True) and ordered[-1] < 0.02


def test_training_with_the_pair_term_saves_the_plain_detector(spectrogram_dir, tmp_path, capsys):
    run_dir = tmp_path / "paired"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "2", "--batch-size", "8",
                  "--pair-loss", "1", "--no-one-class"]) == 0
    history = (run_dir / "history.csv").read_text().splitlines()[0].split(",")
    assert "pair_loss" in history and "val_pair_loss" not in history and "val_eer" in history
    model = keras.models.load_model(run_dir / "model.keras")
    assert model.name != "paired_trainer" and model.output_shape == (None, 1)
    data = copy_without(spectrogram_dir, tmp_path / "no-copies", lambda row: row["vocoder"])
    assert train(["--data", str(data), "--output", str(tmp_path / "run"), "--epochs", "1", "--pair-loss", "1", "--no-one-class"]) == 1
    assert "--pair-loss needs copies" in capsys.readouterr().err


def test_one_class_head_scores_the_cosine_to_the_real_direction_with_oc_softmax_margins():
    import tensorflow as tf

    from model.cnn import OneClassScore, one_class_loss

    head = OneClassScore(scale=20.0, centre=0.55)
    head.build((None, 4))
    head.real_direction.assign([2.0, 0.0, 0.0, 0.0])
    embeddings = np.array([[3, 0, 0, 0], [0, 5, 0, 0], [-1, 0, 0, 0], [1, 1, 0, 0]], np.float32)
    cosine = np.array([1.0, 0.0, -1.0, np.sqrt(0.5)])
    logits = np.asarray(head(embeddings)).ravel()
    np.testing.assert_allclose(logits, 20 * (0.55 - cosine), atol=1e-4)  # the length of an embedding does not count
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    real_loss = np.asarray(one_class_loss(tf.zeros((4, 1)), tf.constant(logits[:, None]))).ravel()
    fake_loss = np.asarray(one_class_loss(tf.ones((4, 1)), tf.constant(logits[:, None]))).ravel()
    np.testing.assert_allclose(real_loss, softplus(20 * (0.9 - cosine)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(fake_loss, softplus(20 * (cosine - 0.2)), rtol=1e-4, atol=1e-5)
    detector = build_model("compact", one_class=True)
    assert detector.count_params() <= 500_000 and detector.output_shape == (None, 1)


def test_one_class_training_saves_the_p_fake_model_it_validated(spectrogram_dir, tmp_path, capsys):
    run_dir = tmp_path / "one-class"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "3", "--batch-size", "8",
                  "--one-class"]) == 0
    with (run_dir / "history.csv").open() as stream:
        val_eers = [float(row["val_eer"]) for row in csv.DictReader(stream)]
    model = keras.saving.load_model(run_dir / "model.keras", safe_mode=True)
    assert model.get_layer("fake_logit") is not None and model.output_shape == (None, 1)
    val = read_manifest(spectrogram_dir, "val")
    images = np.stack([np.asarray(keras.utils.load_img(p)) for p in val["image_path"]]).astype(np.float32)
    p_fake = np.asarray(model.predict(images, verbose=0)).ravel()
    assert np.all((p_fake >= 0) & (p_fake <= 1))
    assert compute_eer(val["y"], p_fake)[0] == pytest.approx(min(val_eers), abs=1e-6)  # validated on logits
    from sklearn.metrics import roc_auc_score

    card = json.loads((run_dir / "model.json").read_text())
    assert card["validation"]["roc_auc"] == pytest.approx(roc_auc_score(val["y"], p_fake), abs=1e-6)
    assert train(["--data", str(spectrogram_dir), "--output", str(tmp_path / "run"), "--epochs", "1",
                  "--one-class", "--pair-loss", "1"]) == 1
    assert "needs --no-one-class" in capsys.readouterr().err


def test_one_class_margins_set_the_saved_centre_and_bad_ones_are_refused(spectrogram_dir, tmp_path, capsys):
    import tensorflow as tf

    from model.cnn import OneClassLoss

    cosine = np.array([1.0, 0.3, -0.5])
    logits = tf.constant(20 * (0.35 - cosine)[:, None], tf.float32)
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    loss = OneClassLoss((0.5, 0.2))  # what training compiles; labels come as (batch,)
    assert float(loss(tf.zeros(3), logits)) == pytest.approx(softplus(20 * (0.5 - cosine)).mean(), rel=1e-4)
    assert float(loss(tf.ones(3), logits)) == pytest.approx(softplus(20 * (cosine - 0.2)).mean(), rel=1e-4)
    run_dir = tmp_path / "wide"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "1", "--batch-size", "8",
                  "--one-class-margins", "0.5", "0.2"]) == 0
    model = keras.saving.load_model(run_dir / "model.keras", safe_mode=True)
    assert model.get_layer("fake_logit").centre == pytest.approx(0.35)
    assert json.loads((run_dir / "model.json").read_text())["training_args"]["one_class_margins"] == [0.5, 0.2]
    assert train(["--data", str(spectrogram_dir), "--output", str(tmp_path / "bad"), "--epochs", "1",
                  "--one-class-margins", "0.2", "0.5"]) == 1
    assert "FAKE < REAL" in capsys.readouterr().err


def test_a_sharpness_aware_step_descends_with_the_gradient_found_rho_uphill():
    import tensorflow as tf

    from model.sharpness import sharpness_aware_trainer

    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    detector = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    images = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    labels = (images[:, 0] > 0).astype(np.float32)[:, None]
    start = [np.array(w) for w in detector.get_weights()]

    def gradients_at(weights):
        detector.set_weights(weights)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.binary_crossentropy(labels, detector(images)))
        return [g.numpy() for g in tape.gradient(loss, detector.trainable_variables)]

    first = gradients_at(start)
    norm = np.sqrt(sum((g ** 2).sum() for g in first))
    uphill = gradients_at([w + 0.5 * g / norm for w, g in zip(start, first)])
    detector.set_weights(start)
    trainer = sharpness_aware_trainer(detector, rho=0.5)
    trainer.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    trainer.train_on_batch(images, labels)
    after = detector.get_weights()
    for weight, begin, gradient in zip(after, start, uphill):
        np.testing.assert_allclose(weight, begin - 0.1 * gradient, atol=1e-5)
    plain_step = [begin - 0.1 * gradient for begin, gradient in zip(start, first)]
    assert not all(np.allclose(weight, plain, atol=1e-5) for weight, plain in zip(after, plain_step))


def test_training_with_sam_and_the_one_class_head_saves_the_detector(spectrogram_dir, tmp_path):
    run_dir = tmp_path / "sam"
    assert train(["--data", str(spectrogram_dir), "--output", str(run_dir), "--epochs", "2", "--batch-size", "8",
                  "--sam", "0.05", "--one-class"]) == 0
    model = keras.saving.load_model(run_dir / "model.keras", safe_mode=True)
    assert model.name == "deepfake_cnn_compact" and model.output_shape == (None, 1)
    assert json.loads((run_dir / "model.json").read_text())["training_args"]["sam"] == 0.05


def test_missing_folder_is_one_clear_line(tmp_path, capsys):
    assert train(["--data", str(tmp_path / "nowhere"), "--output", str(tmp_path / "run")]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and "audio_to_spectrogram" in error and "\n" not in error


def copy_without(spectrogram_dir, data, drop):
    """A copy of a step 1 output whose manifest leaves out the rows where drop(row) is true."""
    shutil.copytree(spectrogram_dir, data)
    manifest = data / "manifest.csv"
    rows = list(csv.DictReader(manifest.open()))
    with manifest.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if not drop(row))
    return data


def test_one_class_split_is_refused(spectrogram_dir, tmp_path, capsys):
    data = copy_without(spectrogram_dir, tmp_path / "data",
                        lambda row: row["split"] == "val" and row["label"] == "FAKE")
    assert train(["--data", str(data), "--output", str(tmp_path / "run"), "--epochs", "1"]) == 1
    assert "val split has no FAKE" in capsys.readouterr().err


def test_images_made_with_other_settings_are_refused(spectrogram_dir, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(spectrogram_dir, data)
    SpectrogramConfig(image_size=64, n_mels=64).save(data)  # config no longer matches the 128x128 PNGs
    assert train(["--data", str(data), "--output", str(tmp_path / "run"), "--epochs", "1"]) == 1
    assert "model expects 64x64" in capsys.readouterr().err


def test_training_augmentations_paint_silence_not_black():
    """Masks and truncation fill with the colour of the dB floor, as step 1 pads a short clip."""
    import tensorflow as tf

    from model.data import augment_images
    from preprocessing.spectrogram import silence_pixel

    tf.random.set_seed(0)
    config = SpectrogramConfig()
    silence = silence_pixel(config).astype(np.float32)
    assert silence.tolist() != [0, 0, 0]  # magma's floor is not pure black
    image = tf.fill([128, 128, 3], 200.0)
    truncated, _ = augment_images(config, truncate=1.0, min_frames=16)(image, 1.0)
    truncated = truncated.numpy()
    kept = np.all(truncated == 200.0, axis=(0, 2))
    length = int(kept.sum())
    assert 16 <= length <= 128 and kept[:length].all()  # a prefix of frames survives
    np.testing.assert_array_equal(truncated[:, length:], np.broadcast_to(silence, truncated[:, length:].shape))
    masked, _ = augment_images(config, freq_mask=127, time_mask=127)(image, 0.0)
    painted = masked.numpy()[np.any(masked.numpy() != 200.0, axis=2)]
    assert painted.size and np.all(painted == silence)
    untouched, _ = augment_images(config, truncate=0.0)(image, 0.0)
    assert np.all(untouched.numpy() == 200.0)


def test_time_flip_reverses_the_frames_and_keeps_every_frames_spectrum():
    import tensorflow as tf

    from model.data import augment_images

    tf.random.set_seed(0)
    image = tf.random.uniform([128, 128, 3], 0, 255, seed=1)
    flipped, label = augment_images(SpectrogramConfig(), time_flip=1.0)(image, 1.0)
    np.testing.assert_array_equal(flipped.numpy(), image.numpy()[:, ::-1])  # frame t becomes frame 127 - t
    assert float(label) == 1.0
    kept, _ = augment_images(SpectrogramConfig(), time_flip=1e-9)(image, 1.0)
    np.testing.assert_array_equal(kept.numpy(), image.numpy())
    draws = [np.array_equal(augment_images(SpectrogramConfig(), time_flip=0.5)(image, 0.0)[0].numpy(),
                            image.numpy()) for _ in range(40)]
    assert 5 < sum(draws) < 35  # about half the images stay as they were


def test_time_stretch_slows_the_frames_down_keeps_each_frames_spectrum_and_step_1s_colours():
    import tensorflow as tf

    from model.data import augment_images, level_codec

    config = SpectrogramConfig()
    to_levels, to_image = level_codec(config)
    frames = tf.range(128, dtype=tf.int32)
    ramp = to_image(tf.tile(frames[None, :], [128, 1]))  # frame t at level t in every row
    steady = to_image(tf.tile(tf.range(0, 256, 2, dtype=tf.int32)[:, None], [1, 128]))  # one spectrum, every frame
    tf.random.set_seed(0)
    slopes = []
    for _ in range(10):
        stretched, label = augment_images(config, time_stretch=0.5)(ramp, 1.0)
        assert stretched.shape == ramp.shape and float(label) == 1.0
        levels = to_levels(stretched).numpy()  # a colour off the colormap would read as level 0
        np.testing.assert_array_equal(levels, np.tile(levels[:1], [128, 1]))  # every row alike
        steps = np.diff(levels[0])
        assert steps.min() >= 0 and levels[0, -1] <= 127  # still the ramp, in order
        slopes.append((levels[0, -1] - levels[0, 0]) / 127)
        kept, _ = augment_images(config, time_stretch=0.5)(steady, 0.0)
        np.testing.assert_array_equal(kept.numpy(), steady.numpy())
    assert 1 / 1.5 - 0.02 <= min(slopes) < 0.9 and max(slopes) <= 1  # slowed by 1-1.5x, never sped up
    np.testing.assert_array_equal(augment_images(config, time_stretch=0.0, truncate=1e-9)(ramp, 0.0)[0].numpy(),
                                  ramp.numpy())


def test_the_network_learns_a_visible_difference(tmp_path):
    """Fails if labels were swapped or images scrambled anywhere between step 1 and prediction:
    FAKE clips carry a 3.5 kHz tone, which a CNN sees as a bright row."""
    from conftest import make_folder_dataset, write_clip
    from inference.predictor import Predictor
    from preprocessing.audio_to_spectrogram import main as step1

    make_folder_dataset(tmp_path / "audio", per_class=20)
    assert step1(["--input", str(tmp_path / "audio"), "--output", str(tmp_path / "spec")]) == 0
    run_dir = tmp_path / "run"
    # 20 epochs: at 12 an early best epoch with p_fake not yet pulled apart once put the threshold
    # under the held-out REAL clips (in the full suite, 1 run in many)
    assert train(["--data", str(tmp_path / "spec"), "--output", str(run_dir), "--epochs", "20",
                  "--batch-size", "8", "--patience", "20"]) == 0
    predictor = Predictor.load(run_dir)
    held_out = [(write_clip(tmp_path / "new" / f"{kind}{index}.wav", pitch=120 + 13 * index, seed=500 + index,
                            fake=kind == "fake"), int(kind == "fake")) for kind in ("real", "fake") for index in range(6)]
    p_fake = np.array([predictor.predict_audio(path)[2][0] for path, _ in held_out])
    y = np.array([label for _, label in held_out])
    assert compute_eer(y, p_fake)[0] < 0.2
    assert (predictor.label(p_fake) == np.where(y == 1, "FAKE", "REAL")).mean() >= 0.75


def test_lcnn_stays_within_the_card_and_reloads_in_a_fresh_process(trained_run, tmp_path):
    import subprocess
    import sys

    model = build_model("lcnn")
    assert model.count_params() <= 500_000 and model.output_shape == (None, 1)
    shutil.copy(trained_run / "model.json", tmp_path / "model.json")
    model.save(tmp_path / "model.keras")  # a run folder whose model has custom layers
    code = f"from inference.predictor import Predictor; Predictor.load(r'{tmp_path}')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]


def test_training_reads_step1_pngs_as_the_pixels_prediction_sees(spectrogram_dir):
    """Step 1 stores indexed-colour PNGs; TensorFlow's decoder (training) and Pillow (prediction)
    must both expand them to the same RGB colormap pixels."""
    from model.data import decoder
    from preprocessing.spectrogram import colormap_lut, load_image_array, rgb_codes

    config = SpectrogramConfig.load(spectrogram_dir)
    paths = read_manifest(spectrogram_dir)["image_path"].head(6)
    colours = rgb_codes(colormap_lut(config.colormap))
    for path in paths:
        trained_on, _ = decoder(3)(str(path), 1)
        predicted_on = load_image_array(path, config)
        assert np.array_equal(trained_on.numpy().astype(np.uint8), predicted_on)
        assert np.isin(rgb_codes(predicted_on), colours).all() and predicted_on.std() > 0


def test_deterministic_training_gives_the_same_weights_twice(spectrogram_dir, tmp_path):
    # In fresh processes: op determinism is process-wide, and other tests train without it.
    weights = []
    for run in ("first", "second"):
        subprocess.run([sys.executable, "model/train_cnn_model.py", "--data", str(spectrogram_dir), "--output",
                        str(tmp_path / run), "--epochs", "2", "--batch-size", "8", "--deterministic"],
                       check=True, capture_output=True, cwd=Path(__file__).resolve().parent.parent)
        weights.append(keras.saving.load_model(tmp_path / run / "model.keras", safe_mode=True).get_weights())
    assert len(weights[0]) == len(weights[1]) > 0
    for first, second in zip(*weights):
        np.testing.assert_array_equal(first, second)


def test_the_reversed_gradient_is_negated_and_scaled_while_the_forward_pass_is_unchanged():
    import tensorflow as tf

    from model.adversary import reverse_gradient

    features = tf.Variable([[1.0, -2.0, 3.0]])
    with tf.GradientTape() as tape:
        passed = reverse_gradient(features, 0.25)
        objective = tf.reduce_sum(passed * tf.constant([[2.0, 4.0, -8.0]]))
    np.testing.assert_array_equal(passed.numpy(), features.numpy())
    np.testing.assert_allclose(tape.gradient(objective, features).numpy(), [[-0.5, -1.0, 2.0]])


def test_the_collection_adversary_numbers_real_collections_and_leaves_fakes_and_copies_out():
    import pandas as pd

    from model.adversary import NOT_REAL, origin_indices

    rows = pd.DataFrame({"y": [0, 0, 1, 1, 0, 0], "origin": ["libri", "vctk", "libri", "tts", "libri", "vctk"],
                         "vocoder": ["", "", "", "", "upsampling_net", ""]})
    origins, names = origin_indices(rows)
    assert names == ["libri", "vctk"]  # "tts" has no REAL image; the copy is FAKE
    assert origins.tolist() == [0, 1, NOT_REAL, NOT_REAL, NOT_REAL, 1]


def test_training_with_the_collection_adversary_saves_the_plain_detector_and_refuses_what_it_cannot_use(
        spectrogram_dir, tmp_path):
    import pandas as pd

    data = tmp_path / "two-rooms"
    shutil.copytree(spectrogram_dir, data)
    manifest = pd.read_csv(data / "manifest.csv", keep_default_na=False)
    assert set(manifest["origin"]) == {""}  # a folder dataset: one collection
    assert train(["--data", str(data), "--output", str(tmp_path / "one"), "--epochs", "1",
                  "--origin-adversary", "0.5"]) == 1  # nothing to tell apart
    assert not (tmp_path / "one").exists()
    manifest["origin"] = ["room_a" if index % 2 else "room_b" for index in range(len(manifest))]
    manifest.to_csv(data / "manifest.csv", index=False)
    assert train(["--data", str(data), "--output", str(tmp_path / "plain"), "--epochs", "2", "--batch-size", "8",
                  "--origin-adversary", "0.5", "--no-one-class"]) == 1  # the head it reads is the one-class one
    run_dir = tmp_path / "adversary"
    assert train(["--data", str(data), "--output", str(run_dir), "--epochs", "2", "--batch-size", "8",
                  "--origin-adversary", "0.5"]) == 0
    card = json.loads((run_dir / "model.json").read_text())
    assert card["training_args"]["origin_adversary"] == 0.5
    history = pd.read_csv(run_dir / "history.csv")
    assert "adversary_loss" in history and history["adversary_loss"].between(0, 10).all()
    saved = keras.saving.load_model(run_dir / "model.keras")
    plain = build_model("compact", one_class=True)
    assert saved.count_params() == plain.count_params() == card["parameters"]  # the adversary is not saved
    assert not any("adversary" in layer.name for layer in saved.layers)
