package io.medseg.examples.cli;

import io.medseg.backend.Precision;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --precision fp32|bf16}, shared by the commands that run a network; checked as the line is parsed. */
final class PrecisionOption {
    @Option(names = "--precision", paramLabel = "P", converter = PrecisionConverter.class,
            description = "Network arithmetic: fp32 (default) or bf16 (bfloat16, about twice as fast on CPUs with "
                    + "avx512_bf16 or AMX; elsewhere fp32, with a warning).")
    Precision precision = Precision.FP32;

    static final class PrecisionConverter implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
