package org.sparkprop.cli;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * The features of a Parquet (or any DataFrame) source, in the three layouts data arrives in:
 * <pre>
 *   a Vector column          data.parquet.features names it (Spark ML's layout)
 *   an array column          array&lt;double|float|int|…&gt;, as pandas and pyarrow write lists
 *   plain numeric columns    when data.parquet.features is not a column: every numeric column
 *                            but the label, in file order (a wide table)
 * </pre>
 * becoming one Vector column, {@link #COLUMN}, as training and evaluation read it.
 */
final class ParquetFeatures {

  static final String COLUMN = "__sparkprop_features";

  private ParquetFeatures() {}

  static Dataset<Row> asVector(Dataset<Row> df, String features, String label) {
    List<String> names = List.of(df.schema().fieldNames());
    if (names.contains(features)) {
      DataType t = df.schema().apply(features).dataType();
      if (t.equals(SQLDataTypes.VectorType())) {
        return df.withColumn(COLUMN, functions.col(features));
      }
      if (t instanceof ArrayType a && a.elementType() instanceof NumericType) {
        return df.withColumn(COLUMN, org.apache.spark.ml.functions.array_to_vector(
            functions.col(features).cast(DataTypes.createArrayType(DataTypes.DoubleType))));
      }
      throw new IllegalArgumentException("features column '" + features + "' is "
          + t.simpleString() + "; Sparkprop reads a Vector, a numeric array, or plain numeric "
          + "columns (set data.parquet.features to a name that is not a column to use those)");
    }
    List<String> numeric = new ArrayList<>();
    List<String> other = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(label)) {
        continue;
      }
      if (f.dataType() instanceof NumericType || f.dataType().equals(DataTypes.BooleanType)) {
        numeric.add(f.name());
      } else {
        other.add(f.name() + " " + f.dataType().simpleString());
      }
    }
    if (numeric.isEmpty() || !other.isEmpty()) {
      throw new IllegalArgumentException("no features column '" + features + "'"
          + (!other.isEmpty() ? ", and these columns are not numeric: " + String.join(", ", other)
              : " and no numeric columns besides the label")
          + "; set data.parquet.features to the Vector or array column, or keep only numeric "
          + "feature columns besides the label (columns: " + String.join(", ", names) + ")");
    }
    System.err.println("[sparkprop] no column '" + features + "': features are the " + numeric.size()
        + " numeric columns besides '" + label + "' (" + String.join(", ", numeric) + ")");
    List<String> cast = new ArrayList<>();
    Dataset<Row> d = df;
    for (String n : numeric) {
      String c = "__sparkprop_f" + cast.size();
      d = d.withColumn(c, functions.col(n).cast(DataTypes.DoubleType));
      cast.add(c);
    }
    return new VectorAssembler().setInputCols(cast.toArray(new String[0])).setOutputCol(COLUMN)
        .transform(d);
  }
}
