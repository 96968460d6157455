package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/**
 * {@code scripts/bench.sh local}, Sparkprop's half: the local trainer on Fashion-MNIST with the same
 * settings as scripts/bench/torch_mlp.py (784-256relu-128relu-10, Adam 1e-3, batch 128, He init).
 * Prints one JSON line. Usage: LocalBench DATA_DIR EPOCHS THREADS SEED
 */
public final class LocalBench {

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int epochs = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    Block train = IdxReader.readSplit(dir, true).block();
    Block test = IdxReader.readSplit(dir, false).block();
    TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
        .init("he").optimizer("adam").learningRate(1e-3).batchSize(128).epochs(epochs)
        .threads(threads).seed(seed).build();
    TrainingResult r = new LocalTrainer(cfg).fit(train, null);
    double acc = r.model().evaluate(test).accuracy();
    ObjectNode out = new ObjectMapper().createObjectNode();
    out.put("bench", "local-sparkprop");
    out.put("system", "sparkprop-local");
    out.put("epochs", epochs);
    out.put("threads", threads);
    out.put("batch", 128);
    out.put("seconds_per_epoch", round(r.trainSeconds() / epochs, 4));
    out.put("samples_per_s", round(train.rows() * (double) epochs / r.trainSeconds(), 1));
    out.put("train_seconds", round(r.trainSeconds(), 3));
    out.put("test_accuracy", round(acc, 4));
    System.out.println(out);
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
