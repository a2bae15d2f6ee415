"""The 3-block CNN. One sigmoid unit: P(fake). Pixel scaling lives here and only here."""
from __future__ import annotations

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class FusedBatchNormalization(layers.BatchNormalization):
    """Keras' batch normalisation with the same weights and maths, trained with TensorFlow's one fused
    kernel instead of Keras 3's separate moments and arithmetic ops: a `compact` training step on random
    images takes half the time on a CPU, the default's training on the devset 20-30% less (BENCHMARKS.md).
    Inference, other backends, masks and float16 use Keras' own path."""

    def call(self, inputs, training=None, mask=None):
        if not (training and self.trainable) or mask is not None or not self._fusable(inputs):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf  # the fused kernel is TensorFlow's; _fusable checked the backend

        outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs, self.gamma, self.beta, epsilon=self.epsilon, data_format="NHWC", is_training=True)
        values = tf.cast(tf.size(inputs) // tf.shape(inputs)[-1], variance.dtype)
        variance = variance * (values - 1.0) / values  # the kernel returns the unbiased variance, Keras the biased
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            moving.assign(moving * self.momentum + batch * (1.0 - self.momentum))
        return outputs

    def _fusable(self, inputs) -> bool:
        return (keras.backend.backend() == "tensorflow" and len(inputs.shape) == 4 and self.axis in (-1, 3)
                and self.center and self.scale and not self.renorm
                and keras.backend.standardize_dtype(inputs.dtype) == "float32")


def _seed_body(x):
    """The project card's network: Conv 32/64/128 (3x3) + max-pooling, flatten, dense 128 (then dropout 0.5)."""
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    return layers.Dense(128, activation="relu")(x)


def _compact_body(x, first_stride=(2, 2), pooling="average", pool_first_blocks=0, widths=(32, 64, 128)):
    """Same three blocks with batch normalisation; pooled over time only, so that *where* in
    frequency a pattern sits still reaches the classifier. ~30x fewer weights than the seed.

    The first convolution steps by 2, which makes training ~3x faster on a CPU. The first
    `pool_first_blocks` blocks max-pool their convolution's output before normalising it: Keras'
    batch normalisation then works on a quarter of the values, and with all three training took
    about a third less time on a CPU (measured before FusedBatchNormalization).
    """
    for block, (filters, stride) in enumerate(zip(widths, (first_stride, 1, 1))):
        pool_first = block < pool_first_blocks
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        if pool_first:
            x = layers.MaxPooling2D()(x)
        x = FusedBatchNormalization()(x)
        x = layers.Activation("relu")(x)
        if not pool_first:
            x = layers.MaxPooling2D()(x)
    if pooling == "statistics":
        x = TimeStatistics(name="statistics_over_time")(x)
    elif pooling == "attention":
        x = AttentionOverTime(name="attention_over_time")(x)
    else:
        x = layers.AveragePooling2D(pool_size=(1, x.shape[2]), name="average_over_time")(x)  # rows = frequency bands
    return layers.Flatten()(x)


def _compact_fine_body(x):
    """compact, but the first convolution steps by 2 over time only: every one of the 128
    frequency rows reaches the second block (fine spectral detail is where vocoders leave
    traces). Same weights plus a wider classifier; about twice the compute."""
    return _compact_body(x, first_stride=(1, 2))


def _compact_stats_body(x):
    """compact, pooled over time by mean and standard deviation per frequency row: how much a
    band's pattern flickers from frame to frame (vocoder frames, phase resets) reaches the
    classifier, not only its average."""
    return _compact_body(x, pooling="statistics")


def _compact_attention_body(x):
    """compact, pooled over time by a learned weighting per frequency row (AttentionOverTime), so that
    frames with evidence can outweigh silence and padding. Measured: no gain, a larger noise cue (README)."""
    return _compact_body(x, pooling="attention")


def _compact_pool_first_body(x):
    """compact, each block ordered convolution, max-pooling, normalisation, ReLU: the same weights
    and output sizes, batch statistics over pooled values, about a third less training time on a CPU.
    Measured: a worse external EER and noisy real speech read FAKE more often (README)."""
    return _compact_body(x, pool_first_blocks=3)


def _compact_pool_first_block1_body(x):
    """compact-pool-first in the first block only, whose 64x64x32 maps hold more values than the
    other two blocks' together. Measured: as fast as pooling first in every block, and a worse
    external EER with noisy real speech read FAKE more often (README)."""
    return _compact_body(x, pool_first_blocks=1)


def _compact_wide_body(x):
    """compact with half as many channels again in every block (48, 96, 192): about 2x the weights,
    still under the card's 500k. Measured: 1.4x the training time, a worse external EER and noisy real
    speech read FAKE more often (README)."""
    return _compact_body(x, widths=(48, 96, 192))


def _compact_narrow_body(x):
    """compact with half the channels in every block (16, 32, 64): 90k weights, the other side of
    compact-wide. Measured: half the training time, a worse external EER with seeds far apart, and
    noisy real speech read FAKE more often (README)."""
    return _compact_body(x, widths=(16, 32, 64))


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class MaxFeatureMap(layers.Layer):
    """Max-feature-map (LCNN, Wu et al. 2018; the ASVspoof 2019 winner's activation): the
    element-wise max of the two halves of the channels, a learned competitive selection."""

    def call(self, x):
        first, second = keras.ops.split(x, 2, axis=-1)
        return keras.ops.maximum(first, second)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class TimeStatistics(layers.Layer):
    """Mean and standard deviation over time (axis 2) per frequency row and channel: pooling that
    keeps where in frequency a pattern sits and how steady it is."""

    def call(self, x):
        mean = keras.ops.mean(x, axis=2)
        std = keras.ops.sqrt(keras.ops.var(x, axis=2) + 1e-6)
        return keras.ops.concatenate([mean, std], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], 2 * input_shape[3])


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class AttentionOverTime(layers.Layer):
    """Attentive pooling over time (axis 2), per frequency row: a small tanh layer scores each
    frame from its channels, a softmax over the row's frames turns the scores into weights, and
    the row's features are their weighted mean. Output (batch, rows, channels), like an average."""

    def __init__(self, units: int = 64, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        channels = input_shape[-1]
        self.hidden = self.add_weight(shape=(channels, self.units), initializer="glorot_uniform", name="hidden")
        self.hidden_bias = self.add_weight(shape=(self.units,), initializer="zeros", name="hidden_bias")
        self.score = self.add_weight(shape=(self.units, 1), initializer="glorot_uniform", name="score")

    def call(self, x):
        hidden = keras.ops.tanh(keras.ops.matmul(x, self.hidden) + self.hidden_bias)
        weights = keras.ops.softmax(keras.ops.matmul(hidden, self.score), axis=2)  # (batch, rows, frames, 1)
        return keras.ops.sum(x * weights, axis=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], input_shape[3])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class CentreRows(layers.Layer):
    """Each frequency row minus its mean over time, per colour channel (cepstral mean
    normalisation, on the picture): a steady channel (microphone response, band limit, room
    colour) is a constant along each row of a dB image, so it goes; what changes in time stays."""

    def call(self, x):
        return x - keras.ops.mean(x, axis=2, keepdims=True)


ONE_CLASS_MARGINS = (0.9, 0.2)  # OC-softmax's: REAL within cosine 0.9 of the REAL direction, FAKE beyond 0.2
ONE_CLASS_SCALE = 20.0


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class OneClassScore(layers.Layer):
    """The logit of P(fake) from the cosine between a clip's embedding and one learned REAL
    direction: scale x (centre - cosine). Trained with `one_class_loss` (OC-softmax, Zhang, Jiang
    and Duan 2021), REAL clips are drawn into a narrow cone around that direction and FAKE clips
    only pushed out of a wide one, so an attack unlike every training fake can still fall outside."""

    def __init__(self, scale: float = ONE_CLASS_SCALE, centre: float = sum(ONE_CLASS_MARGINS) / 2, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.centre = scale, centre

    def build(self, input_shape):
        self.real_direction = self.add_weight(shape=(input_shape[-1],), initializer="glorot_uniform",
                                              name="real_direction")

    def call(self, x):
        x = keras.ops.cast(x, "float32")
        cosine = keras.ops.sum(keras.ops.normalize(x, axis=-1) * keras.ops.normalize(self.real_direction, axis=-1),
                               axis=-1, keepdims=True)
        return self.scale * (self.centre - cosine)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "centre": self.centre}


def one_class_loss(y, fake_logit, scale: float = ONE_CLASS_SCALE, margins=ONE_CLASS_MARGINS):
    """OC-softmax on OneClassScore's logit, margins = (REAL, FAKE), by default (0.9, 0.2):
    softplus(scale x (REAL - cosine)) for REAL clips, softplus(scale x (cosine - FAKE)) for FAKE ones. With
    the layer's centre halfway between the margins, that is binary cross-entropy on the logit moved
    against its class by scale x (REAL - FAKE) / 2."""
    margin = scale * (margins[0] - margins[1]) / 2
    y = keras.ops.cast(y, "float32")
    return keras.losses.binary_crossentropy(y, fake_logit - margin * (2 * y - 1), from_logits=True)


@keras.saving.register_keras_serializable(package="deepfake_cnn")
class OneClassLoss(keras.losses.Loss):
    """`one_class_loss` with chosen margins, as a Keras loss that can be written into a model's config."""

    def __init__(self, margins=ONE_CLASS_MARGINS, scale: float = ONE_CLASS_SCALE, name="one_class_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margins, self.scale = tuple(margins), scale

    def call(self, y_true, y_pred):  # labels come as (batch,), the logit as (batch, 1)
        return one_class_loss(keras.ops.reshape(y_true, (-1, 1)), y_pred, self.scale, self.margins)

    def get_config(self):
        return {**super().get_config(), "margins": list(self.margins), "scale": self.scale}


def logit_model(detector: keras.Model) -> keras.Model:
    """The detector up to its logit (same weights): what a one-class detector is trained as."""
    return keras.Model(detector.inputs, detector.get_layer("fake_logit").output, name=f"{detector.name}_logit")


def _lcnn_body(x):
    """The card's three blocks, LCNN-style: each conv makes twice the channels and max-feature-map
    keeps the larger half; statistics pooling over time keeps the frequency axis."""
    for filters, stride in ((32, 2), (64, 1), (128, 1)):
        x = layers.Conv2D(2 * filters, 3, strides=stride, padding="same", use_bias=False)(x)
        x = FusedBatchNormalization()(x)
        x = MaxFeatureMap()(x)
        x = layers.MaxPooling2D()(x)
    x = TimeStatistics(name="statistics_over_time")(x)
    return layers.Flatten()(x)


BODIES = {"compact": _compact_body, "compact-attention": _compact_attention_body, "compact-fine": _compact_fine_body,
          "compact-pool-first": _compact_pool_first_body, "compact-pool-first-block1": _compact_pool_first_block1_body,
          "compact-narrow": _compact_narrow_body, "compact-stats": _compact_stats_body,
          "compact-wide": _compact_wide_body, "lcnn": _lcnn_body, "seed": _seed_body}
ARCHS = tuple(BODIES)  # --arch's choices: one list, the bodies'


def default_one_class(arch: str) -> bool:
    """The one-class head is the default (measured: external EER 22.6% against 29.3%, devset CV 16.5%
    against 18.2%); `seed` stays the card's network, dense head included."""
    return arch != "seed"


def default_dropout(arch: str) -> float:
    """The dropout rate before the head: the card's 0.5 for `seed`, 0.3 for the compact bodies."""
    return 0.5 if arch == "seed" else 0.3


def build_model(arch: str = "compact", image_size: int = 128, channels: int = 3,
                pixel_noise: float = 0.0, centre_rows: bool = False, one_class: bool | None = None,
                one_class_margins=ONE_CLASS_MARGINS, dropout: float | None = None) -> keras.Model:
    """uint8-range image in, P(fake) out. `pixel_noise` adds Gaussian noise (training only);
    `centre_rows` takes each row's mean over time away first (CentreRows); `one_class` (the default
    for every arch but the card's `seed`) puts a 128-d embedding and OneClassScore before the sigmoid
    instead of one dense unit (train its `logit_model` with `one_class_loss` and the same margins);
    `dropout` is the rate on the body's features (`default_dropout` when not given)."""
    one_class = default_one_class(arch) if one_class is None else one_class
    dropout = default_dropout(arch) if dropout is None else dropout
    inputs = keras.Input(shape=(image_size, image_size, channels), name="spectrogram")
    x = layers.Rescaling(1.0 / 255, name="scale_pixels")(inputs)
    if centre_rows:
        x = CentreRows(name="centre_rows")(x)
    if pixel_noise > 0:
        x = layers.GaussianNoise(pixel_noise)(x)
    x = layers.Dropout(dropout)(BODIES[arch](x))
    if one_class:
        x = layers.Dense(128, name="embedding")(x)
        fake_logit = OneClassScore(centre=sum(one_class_margins) / 2, name="fake_logit", dtype="float32")(x)
        p_fake = layers.Activation("sigmoid", dtype="float32", name="p_fake")(fake_logit)
    else:
        p_fake = layers.Dense(1, activation="sigmoid", dtype="float32", name="p_fake")(x)
    return keras.Model(inputs, p_fake, name=f"deepfake_cnn_{arch}")
