package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuListTest {
    @Test
    void parsesRangesAndSingles() {
        assertThat(CpuList.parse("0-7,16-23")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        assertThat(CpuList.parse("3")).containsExactly(3);
        assertThat(CpuList.parse("5,1,3-4\n")).containsExactly(1, 3, 4, 5);
        assertThat(CpuList.parse(" 0 - 2 , 9 ")).containsExactly(0, 1, 2, 9);
        assertThat(CpuList.parse("")).isEmpty();
        assertThat(CpuList.parse("\n")).isEmpty();
    }

    @Test
    void parsesKernelStrides() {
        assertThat(CpuList.parse("0-15:2/4")).containsExactly(0, 1, 4, 5, 8, 9, 12, 13);
        assertThat(CpuList.parse("0-9:1/3")).containsExactly(0, 3, 6, 9);
    }

    @Test
    void formatsCanonically() {
        assertThat(CpuList.format(List.of(23, 0, 1, 2, 3, 16, 17, 5))).isEqualTo("0-3,5,16-17,23");
        assertThat(CpuList.format(List.of())).isEmpty();
        assertThat(CpuList.canonical("3,2,1,0,8")).isEqualTo("0-3,8");
        assertThat(CpuList.canonical("0-3,2-5")).isEqualTo("0-5");
    }

    @Test
    void rejectsMalformedListsNamingTheProblem() {
        assertThatThrownBy(() -> CpuList.parse("3-1")).hasMessageContaining("'3-1' ends before it starts");
        assertThatThrownBy(() -> CpuList.parse("0,,2")).hasMessageContaining("empty element");
        assertThatThrownBy(() -> CpuList.parse("a-3")).hasMessageContaining("'a' is not a cpu number");
        assertThatThrownBy(() -> CpuList.parse("-1")).hasMessageContaining("is not a cpu number");
        assertThatThrownBy(() -> CpuList.parse("0-7:3/2")).hasMessageContaining("0 < used <= group");
        assertThatThrownBy(() -> CpuList.parse("4:1/2")).hasMessageContaining("needs a range");
        assertThatThrownBy(() -> CpuList.parse("0-99999")).hasMessageContaining("exceeds 65535");
        assertThatThrownBy(() -> CpuList.parse("1,2,")).isInstanceOf(IllegalArgumentException.class);
    }
}
